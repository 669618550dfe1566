/** An API key as stored: only the HMAC of the key, never the key itself. */
import * as Schema from "effect/Schema"
import { ApiKeyId } from "./Ids.js"
import { Role } from "./Role.js"
import { Timestamp } from "./Timestamp.js"
import { isStorableText } from "./CanonicalJson.js"

export const DEFAULT_EXPIRES_IN_DAYS = 90
export const MAX_EXPIRES_IN_DAYS = 365

export const KeyHash = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "must be 64 lower-case hexadecimal digits" }),
  Schema.brand("KeyHash")
)
export type KeyHash = typeof KeyHash.Type

/**
 * Shown in listings and on terminals (`keys list`): no control characters,
 * which could rewrite what an operator sees, and nothing PostgreSQL cannot
 * store.
 */
export const Description = Schema.String.pipe(
  Schema.maxLength(500, { message: () => "must be at most 500 characters" }),
  Schema.filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s) || "must not contain control characters"),
  Schema.filter((s) => isStorableText(s) || "contains characters that cannot be stored")
)

export class ApiKeyRecord extends Schema.Class<ApiKeyRecord>("ApiKeyRecord")({
  id: ApiKeyId,
  keyHash: KeyHash,
  role: Role,
  description: Schema.NullOr(Description),
  expiresAt: Schema.NullOr(Timestamp),
  isActive: Schema.Boolean,
  /** Seed keys exist for development only; production refuses to start with active ones. */
  isSeed: Schema.Boolean,
  createdAt: Timestamp
}) {}

/** The body of "create key" (`POST /v1/auth/keys`). */
export const CreateApiKeyRequest = Schema.Struct({
  role: Role,
  description: Schema.optional(Description),
  expiresInDays: Schema.optionalWith(
    Schema.Int.pipe(
      Schema.between(1, MAX_EXPIRES_IN_DAYS, {
        message: () => `must be a whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS}`
      })
    ),
    { default: () => DEFAULT_EXPIRES_IN_DAYS }
  )
})
export type CreateApiKeyRequest = typeof CreateApiKeyRequest.Type

export const ApiKeyView = Schema.Struct({
  id: ApiKeyId,
  role: Role,
  description: Schema.NullOr(Schema.String),
  expiresAt: Schema.NullOr(Timestamp),
  isActive: Schema.Boolean,
  isSeed: Schema.Boolean,
  createdAt: Timestamp
})
export type ApiKeyView = typeof ApiKeyView.Type

export const toView = (record: ApiKeyRecord): ApiKeyView => ({
  id: record.id,
  role: record.role,
  description: record.description,
  expiresAt: record.expiresAt,
  isActive: record.isActive,
  isSeed: record.isSeed,
  createdAt: record.createdAt
})

/** Usable now: active and not expired. */
export const isUsable = (record: ApiKeyRecord, now: Timestamp): boolean =>
  record.isActive && (record.expiresAt === null || now < record.expiresAt)
