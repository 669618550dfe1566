/**
 * The correlation id of a request (ARCHITECTURE.md, Contracts): a caller's
 * `X-Request-ID` is kept when it is a short token of safe characters, and
 * replaced by a fresh UUID otherwise, so that a hostile value can never reach
 * a log line, a response header or a problem document.
 */
import * as Context from "effect/Context"
import { randomUUID } from "node:crypto"

export const HEADER = "x-request-id"

const ACCEPTED = /^[A-Za-z0-9_-]{1,128}$/

/** The id every response echoes and every log line of the request carries. */
export class CurrentRequestId extends Context.Reference<CurrentRequestId>()("@loan-ledger/http/CurrentRequestId", {
  // Only code running outside a request sees the default.
  defaultValue: (): string => "none"
}) {}

/** The caller's id when it is acceptable, else a generated one. */
export const choose = (header: string | undefined): string =>
  header !== undefined && ACCEPTED.test(header) ? header : randomUUID()
