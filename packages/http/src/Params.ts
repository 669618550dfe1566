/**
 * Path and query parameters shared by the endpoints. Each carries the one
 * message shown when it does not decode (see ParameterIssues.ts): a bad
 * parameter is a 400 whose message never repeats what was sent.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Status } from "@loan-ledger/domain/ApplicationStatus"
import { EventType } from "@loan-ledger/domain/AuditEvent"
import { ApiKeyId, ApplicationId, DocumentId } from "@loan-ledger/domain/Ids"
import { Cursor } from "@loan-ledger/domain/Pagination"
import { TimestampFromText } from "@loan-ledger/domain/Timestamp"
import { described } from "./ParameterIssues.js"

const UUID_MESSAGE = "must be a UUID"

export const applicationId = HttpApiSchema.param("id", described(ApplicationId, UUID_MESSAGE))
export const documentId = HttpApiSchema.param("id", described(DocumentId, UUID_MESSAGE))
export const apiKeyId = HttpApiSchema.param("id", described(ApiKeyId, UUID_MESSAGE))

/** Decimal digits only: no sign, exponent, blanks or fraction that `Number()` would let through. */
const Digits = Schema.transformOrFail(Schema.String, Schema.Int, {
  strict: true,
  decode: (text, _, ast) =>
    /^[0-9]{1,9}$/.test(text)
      ? ParseResult.succeed(Number(text))
      : ParseResult.fail(new ParseResult.Type(ast, text, "not digits")),
  encode: (n) => ParseResult.succeed(String(n))
})

/** `limit`: 1 to `max`, `defaultValue` when absent; above `max` is an error, not clamped. */
export const limit = (defaultValue: number, max: number) =>
  Schema.optionalWith(
    described(Digits.pipe(Schema.between(1, max)), `must be an integer from 1 to ${max}`),
    { default: () => defaultValue }
  )

export const cursor = Schema.optional(described(Cursor, "must be a cursor returned by a previous page"))

export const status = Schema.optional(described(Status, `must be one of ${Status.literals.join(", ")}`))

export const eventType = Schema.optional(described(EventType, `must be one of ${EventType.literals.join(", ")}`))

const instant = described(TimestampFromText, "must be an ISO 8601 date-time with a time zone offset")

/** Inclusive lower bound. */
export const dateFrom = Schema.optional(instant)
/** Exclusive upper bound. */
export const dateTo = Schema.optional(instant)
