/**
 * The CLI program: parse, run, and turn whatever happened into the
 * contract's exit code and at most one line on stderr.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Cli from "./Cli.js"
import * as ExitStatus from "./ExitStatus.js"

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g

/**
 * @effect/cli prints its own multi-line, coloured error documents through
 * `Console.error`; the contract wants one plain line, which `ExitStatus`
 * writes from the same error. Help text keeps its colours only on a terminal,
 * so piped output (and the tests) read plain text.
 */
const plainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Console.consoleWith(Effect.succeed), (console) =>
    Console.withConsole(effect, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) =>
        process.stdout.isTTY === true
          ? console.log(...args)
          : console.log(...args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a))),
      error: () => Effect.void
    })
  )

const writeStderr = (line: string) => Effect.sync(() => process.stderr.write(line + "\n"))

/**
 * Library log lines (the Migrator's "migrated up: ..." and the like) go to
 * stderr and only from warnings up: stdout carries the command's own output,
 * which scripts parse (`--json`).
 */
const stderrLogger = Logger.make(({ logLevel, message }) => {
  const text = (Array.isArray(message) ? message : [message]).map((m) => (typeof m === "string" ? m : String(m))).join(" ")
  process.stderr.write(`loan-ledger: ${logLevel.label.toLowerCase()}: ${text}\n`)
})

const CliEnvironment = Layer.mergeAll(
  NodeContext.layer,
  CliConfig.layer({ showBuiltIns: false }),
  Logger.replace(Logger.defaultLogger, stderrLogger),
  Logger.minimumLogLevel(LogLevel.Warning)
)

/** Never fails: the exit code is the result. */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<ExitStatus.ExitCode> =>
  Cli.run(argv).pipe(
    plainConsole,
    Effect.provide(CliEnvironment),
    Effect.as(ExitStatus.success),
    Effect.catchAllCause((cause) => Effect.succeed(ExitStatus.fromCause(cause))),
    Effect.tap((outcome) => (Option.isSome(outcome.line) ? writeStderr(outcome.line.value) : Effect.void)),
    Effect.map((outcome) => outcome.code)
  )
