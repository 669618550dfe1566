#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Exit from "effect/Exit"
import { main } from "./main.js"

// `loan-ledger verify --json | head` closes the pipe early: that is the reader's choice, not a failure to report.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

NodeRuntime.runMain(main(process.argv), {
  disableErrorReporting: true,
  // `main` never fails; its value is the exit code. runMain exits only on non-zero codes,
  // so a success lets the event loop drain (stdout flushed, pools closed).
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 3)
})
