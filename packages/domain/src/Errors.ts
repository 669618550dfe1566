/**
 * The domain's expected failures. They carry what a caller needs to react
 * (ids, states, field names) and never a PII value, a secret or an HTTP
 * status: packages/http attaches statuses to these tags.
 */
import * as Schema from "effect/Schema"
import { Status } from "./ApplicationStatus.js"
import { Role } from "./Role.js"

export const FieldIssue = Schema.Struct({
  /** Dotted path of the offending field, e.g. `propertyAddress.zip`. */
  field: Schema.String,
  /** What is wrong, in words that never quote the submitted value. */
  message: Schema.String
})
export type FieldIssue = typeof FieldIssue.Type

export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  issues: Schema.NonEmptyArray(FieldIssue)
}) {
  static single(field: string, message: string): ValidationError {
    return new ValidationError({ issues: [{ field, message }] })
  }
  override get message(): string {
    return this.issues.map((i) => (i.field === "" ? i.message : `${i.field}: ${i.message}`)).join("; ")
  }
}

export const Entity = Schema.Literal("application", "document", "api_key")
export type Entity = typeof Entity.Type

/** Also the answer to a loan officer asking for somebody else's application. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  entity: Entity,
  id: Schema.String
}) {
  override get message(): string {
    return `${this.entity} ${this.id} not found`
  }
}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  action: Schema.String,
  requiredRole: Role
}) {
  override get message(): string {
    return `${this.action} requires the role ${this.requiredRole} or higher`
  }
}

export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  from: Status,
  to: Status
}) {
  override get message(): string {
    return `an application cannot move from ${this.from} to ${this.to}`
  }
}

export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason
  }
}

export class NoDocuments extends Schema.TaggedError<NoDocuments>()("NoDocuments", {
  applicationId: Schema.String
}) {
  override get message(): string {
    return `application ${this.applicationId} has no documents and cannot be submitted`
  }
}

export class DocumentLimitReached extends Schema.TaggedError<DocumentLimitReached>()("DocumentLimitReached", {
  applicationId: Schema.String,
  limit: Schema.Int
}) {
  override get message(): string {
    return `application ${this.applicationId} already has ${this.limit} documents`
  }
}

/** A chain lock was not obtained in time; the operation may be retried. */
export class ChainBusy extends Schema.TaggedError<ChainBusy>()("ChainBusy", {
  chain: Schema.String
}) {
  override get message(): string {
    return `audit chain ${this.chain} is busy, retry later`
  }
}

export const UnauthenticatedReason = Schema.Literal("missing", "malformed", "unknown_key", "inactive", "expired")
export type UnauthenticatedReason = typeof UnauthenticatedReason.Type

export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  reason: UnauthenticatedReason
}) {
  override get message(): string {
    return `not authenticated (${this.reason})`
  }
}

export const PiiDecryptReason = Schema.Literal("malformed", "bad_signature", "bad_padding", "bad_encoding")
export type PiiDecryptReason = typeof PiiDecryptReason.Type

/** A stored ciphertext could not be decrypted. Never carries plaintext or key material. */
export class PiiDecryptError extends Schema.TaggedError<PiiDecryptError>()("PiiDecryptError", {
  keyId: Schema.optional(Schema.Int),
  reason: PiiDecryptReason
}) {
  override get message(): string {
    return this.keyId === undefined
      ? `encrypted value cannot be decrypted (${this.reason})`
      : `encrypted value under key id ${this.keyId} cannot be decrypted (${this.reason})`
  }
}

/** A ciphertext names a key id that is not configured. */
export class UnknownKeyId extends Schema.TaggedError<UnknownKeyId>()("UnknownKeyId", {
  keyId: Schema.Int
}) {
  override get message(): string {
    return `encryption key id ${this.keyId} is not configured`
  }
}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  reason: Schema.String
}) {
  override get message(): string {
    return `unsupported file type: ${this.reason}`
  }
}

export class DamagedFile extends Schema.TaggedError<DamagedFile>()("DamagedFile", {
  reason: Schema.String
}) {
  override get message(): string {
    return `damaged file: ${this.reason}`
  }
}

/**
 * Verification found a chain that does not hold. `eventId` is the first
 * event whose check failed; `field` and `detail` say what mismatched.
 */
export class AuditChainBroken extends Schema.TaggedError<AuditChainBroken>()("AuditChainBroken", {
  chain: Schema.String,
  eventId: Schema.String,
  field: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `audit chain ${this.chain} is broken at event ${this.eventId}: ${this.detail}`
  }
}

export class DocumentTooLarge extends Schema.TaggedError<DocumentTooLarge>()("DocumentTooLarge", {
  maxBytes: Schema.Int
}) {
  override get message(): string {
    return `a document may be at most ${this.maxBytes} bytes`
  }
}
