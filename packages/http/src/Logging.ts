/**
 * The server's log: one JSON object per line (time, level, message, the
 * request id and the other annotations, and the cause of a failure), which
 * log shippers ingest without parsing rules.
 *
 * Nothing we log on purpose carries PII or keys (ids, statuses, paths
 * without query), but a defect's cause is printed whole, and it could quote
 * whatever a library put in its message. So every line passes a last scrub
 * of what must never be written: SSN-shaped numbers and API keys.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const SSN = /\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b/g
const API_KEY = /\bak_(lo|su|rv)_[A-Za-z0-9_-]{20,}/g
const BEARER = /(bearer\s+)[^\s"',;]+/gi

/** Removes what must never reach a log, whoever wrote the line. */
export const scrub = (line: string): string =>
  line.replace(SSN, "***-**-****").replace(API_KEY, "ak_$1_[REDACTED]").replace(BEARER, "$1[REDACTED]")

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : Inspectable.format(part))).join(" ")
}

const safeValue = (value: unknown): unknown => {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return value
  return Inspectable.toJSON(value)
}

export const format = (options: Logger.Logger.Options<unknown>): string => {
  const entry: Record<string, unknown> = {
    time: options.date.toISOString(),
    level: options.logLevel.label,
    message: messageText(options.message)
  }
  for (const [key, value] of HashMap.toEntries(options.annotations)) {
    if (!(key in entry)) entry[key] = safeValue(value)
  }
  if (!Cause.isEmpty(options.cause)) entry["cause"] = Cause.pretty(options.cause, { renderErrorCause: true })
  let line: string
  try {
    line = JSON.stringify(entry)
  } catch {
    line = JSON.stringify({ time: entry["time"], level: entry["level"], message: "unserialisable log entry" })
  }
  return scrub(line)
}

/** A logger writing formatted lines to `sink` (stdout by default). */
export const make = (sink: (line: string) => void = (line) => process.stdout.write(line + "\n")) =>
  Logger.make<unknown, void>((options) => sink(format(options)))

/**
 * Makes this logger the only one (it replaces the default and the pretty
 * logger `NodeRuntime.runMain` installs), so every line is JSON; and logs
 * from Info up whatever the embedding shell chose (the CLI keeps its own
 * commands quiet below warnings, but the per-request line is Info).
 */
export const layer = (sink?: (line: string) => void): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.zipRight(
      Effect.locallyScoped(FiberRef.currentLoggers, HashSet.make(make(sink))),
      Effect.locallyScoped(FiberRef.currentMinimumLogLevel, LogLevel.Info)
    )
  )
