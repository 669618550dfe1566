/**
 * How a finished command ends: one line on stderr (never a stack trace,
 * never PII or a secret) and an exit code from the contract.
 *
 * 0 success · 1 a chain failed verification · 2 usage or configuration error
 * · 3 database or other runtime error · 130 interrupted (Ctrl+C).
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as CliValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

export const ExitCode = {
  ok: 0,
  brokenChain: 1,
  usage: 2,
  runtime: 3,
  interrupted: 130
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface Outcome {
  readonly code: ExitCode
  /** The one line for stderr; absent when the command already said everything (help, success). */
  readonly line: Option.Option<string>
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g

/**
 * Messages from PostgreSQL and libraries can quote values (`invalid input
 * syntax for type uuid: "…"`, connection strings). Quoted identifiers stay
 * readable; every other quoted value, URL password, SSN-shaped or API-key-shaped
 * text is blanked, so a mistyped value can never leak through an error line.
 */
const scrub = (text: string): string =>
  text
    .replace(ANSI, "")
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@")
    .replace(/"([^"]*)"/g, (whole, inner: string) => (/^[A-Za-z_/.][A-Za-z0-9_.$/-]{0,200}$/.test(inner) ? whole : "\"[REDACTED]\""))
    .replace(/'([^']*)'/g, (whole, inner: string) => (/^-{0,2}[A-Za-z_][A-Za-z0-9_.$, -]{0,200}$/.test(inner) ? whole : "'[REDACTED]'"))
    .replace(/\b\d{3}-\d{2}-\d{4}\b/g, "[REDACTED]")
    .replace(/\bak_[a-z]{2}_[A-Za-z0-9_-]{10,}/g, "[REDACTED]")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 600)

const oneLine = (text: string) => `loan-ledger: ${scrub(text) || "failed"}`

interface PgLikeError {
  readonly message: string
  readonly code?: string
}

const isPgLike = (u: unknown): u is PgLikeError =>
  Predicate.hasProperty(u, "message") && typeof u.message === "string"

/** `SqlError` from @effect/sql wraps the `pg` error; its own message is generic. */
const describeSqlError = (error: { readonly message: string; readonly cause?: unknown }): string => {
  const inner = error.cause
  if (isPgLike(inner)) {
    const code = typeof inner.code === "string" && /^[0-9A-Z]{5}$/.test(inner.code) ? ` (SQLSTATE ${inner.code})` : ""
    return `database error: ${error.message}: ${inner.message}${code}`
  }
  return `database error: ${error.message}`
}

/**
 * Every problem of a ConfigError as `NAME: message`. Effect's own parse
 * messages quote the value ("... but received <value>"), and a value in the
 * wrong variable may be a secret: that part is dropped.
 */
const describeConfigError = (error: ConfigError.ConfigError): string => {
  const problems: Array<string> = []
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      default: {
        const message = e.message.replace(/\s*but received[\s\S]*$/, "")
        const path = e.path.join(".")
        problems.push(path === "" ? message : `${path}: ${message}`)
      }
    }
  }
  walk(error)
  return [...new Set(problems)].join("; ")
}

const hasTag = (u: unknown): u is { readonly _tag: string; readonly message?: unknown } =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string"

const messageOf = (u: { readonly message?: unknown; readonly _tag: string }) =>
  typeof u.message === "string" && u.message !== "" ? u.message : u._tag

/** Domain errors that mean "what you asked for is wrong", not "the system failed". */
const usageTags = new Set([
  "UsageError",
  // domain
  "ValidationError",
  "NotFound",
  "InvalidTransition",
  "Forbidden",
  // migrations: a target that does not exist, a refused production downgrade, an unreadable migrations folder
  "InvalidMigrationTarget",
  "ProductionDowngradeRefused",
  "MigrationFilesError",
  // serve: production start-up checks refused the configuration
  "StartupRefused"
])

const fromFailure = (error: unknown): Outcome => {
  if (CliValidationError.isValidationError(error)) {
    return { code: ExitCode.usage, line: Option.some(oneLine(HelpDoc.toAnsiText(error.error))) }
  }
  if (ConfigError.isConfigError(error)) {
    return { code: ExitCode.usage, line: Option.some(oneLine(`configuration error: ${describeConfigError(error)}`)) }
  }
  if (hasTag(error)) {
    if (error._tag === "ChainsBroken") return { code: ExitCode.brokenChain, line: Option.some(oneLine(messageOf(error))) }
    if (error._tag === "AuditChainBroken") return { code: ExitCode.brokenChain, line: Option.some(oneLine(messageOf(error))) }
    if (usageTags.has(error._tag)) return { code: ExitCode.usage, line: Option.some(oneLine(messageOf(error))) }
    if (error._tag === "SqlError") {
      return { code: ExitCode.runtime, line: Option.some(oneLine(describeSqlError({ message: messageOf(error), cause: (error as { cause?: unknown }).cause }))) }
    }
    return { code: ExitCode.runtime, line: Option.some(oneLine(messageOf(error))) }
  }
  if (error instanceof Error) return { code: ExitCode.runtime, line: Option.some(oneLine(error.message)) }
  return { code: ExitCode.runtime, line: Option.some(oneLine("unexpected failure")) }
}

export const fromCause = <E>(cause: Cause.Cause<E>): Outcome => {
  if (Cause.isInterruptedOnly(cause)) return interrupted()
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const failed = failure.value
    // `--help` and `--version` end the parse with this tag after printing; that is success.
    if (CliValidationError.isValidationError(failed) && CliValidationError.isHelpRequested(failed)) {
      return { code: ExitCode.ok, line: Option.none() }
    }
    return fromFailure(failed)
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    const d = defect.value
    // Adapters raise database failures as tagged defects with a safe message (DatabaseFailure).
    if (hasTag(d)) return { code: ExitCode.runtime, line: Option.some(oneLine(messageOf(d))) }
    const text = d instanceof Error ? d.message : "defect"
    return { code: ExitCode.runtime, line: Option.some(oneLine(`internal error: ${text}`)) }
  }
  return { code: ExitCode.runtime, line: Option.some(oneLine("unexpected failure")) }
}

export const success: Outcome = { code: ExitCode.ok, line: Option.none() }

/**
 * A one-shot command stopped by Ctrl+C did not finish: 130, as shells
 * expect. A server is *meant* to run until a signal stops it, so once
 * `serve` is up, a signal is its normal, successful end (exit 0 after the
 * graceful shutdown). Process-wide because the signal reaches the process,
 * not a command.
 */
let signalIsNormalEnd = false

export const stopsOnSignal = (): void => {
  signalIsNormalEnd = true
}

export const interrupted = (): Outcome =>
  signalIsNormalEnd
    ? { code: ExitCode.ok, line: Option.none() }
    : { code: ExitCode.interrupted, line: Option.some("loan-ledger: interrupted") }
