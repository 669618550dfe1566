#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as ExitStatus from "./ExitStatus.js"
import { main } from "./main.js"

// `loan-ledger verify --json | head` closes the pipe early: that is the reader's choice, not a failure to report.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

NodeRuntime.runMain(main(process.argv), {
  disableErrorReporting: true,
  // `main` never fails; its value is the exit code. Only a signal (SIGINT, SIGTERM) interrupts it from
  // outside. runMain exits only on non-zero codes, so a success lets the event loop drain.
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitStatus.ExitCode.runtime)
    const outcome = Cause.isInterruptedOnly(exit.cause) ? ExitStatus.interrupted() : ExitStatus.fromCause(exit.cause)
    if (Option.isSome(outcome.line)) process.stderr.write(outcome.line.value + "\n")
    onExit(outcome.code)
  }
})
