/**
 * Branded identifiers. UUIDs are held in PostgreSQL's canonical lower-case
 * text form so that an id compares, hashes and encodes the same before it is
 * stored and after the database hands it back; input in upper case is
 * accepted and lower-cased on decode.
 */
import * as Schema from "effect/Schema"
import { randomUUID } from "node:crypto"

const CanonicalUuid = Schema.compose(Schema.Lowercase, Schema.UUID)

export const ApplicationId = CanonicalUuid.pipe(Schema.brand("ApplicationId"))
export type ApplicationId = typeof ApplicationId.Type

export const DocumentId = CanonicalUuid.pipe(Schema.brand("DocumentId"))
export type DocumentId = typeof DocumentId.Type

export const ApiKeyId = CanonicalUuid.pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

const BIGINT_MAX = 9223372036854775807n

/**
 * The id of an audit event is a BIGSERIAL. It travels as a decimal string:
 * a JavaScript number cannot hold every BIGINT, and `pg` returns int8 as text.
 */
export const AuditEventId = Schema.String.pipe(
  Schema.pattern(/^[1-9][0-9]{0,18}$/, {
    message: () => "must be a positive decimal integer without leading zeros"
  }),
  Schema.filter((s) => BigInt(s) <= BIGINT_MAX || "must fit in a BIGINT"),
  Schema.brand("AuditEventId")
)
export type AuditEventId = typeof AuditEventId.Type

/** Numeric order of audit event ids (string order is wrong: "9" > "10"). */
export const compareAuditEventIds = (a: AuditEventId, b: AuditEventId): -1 | 0 | 1 => {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

// The domain chooses application and document ids itself, before the
// transaction starts, because the application id names the audit chain whose
// lock the transaction must take first.
export const newApplicationId = (): ApplicationId => randomUUID() as ApplicationId
export const newDocumentId = (): DocumentId => randomUUID() as DocumentId
export const newApiKeyId = (): ApiKeyId => randomUUID() as ApiKeyId
