/**
 * `pii rotate`: every ciphertext (SSN, account numbers, government id,
 * document contents) not under the current key (`ENCRYPTION_KEY_ID`) is
 * decrypted with the key ring (current + `ENCRYPTION_KEY_PREVIOUS`) and
 * encrypted under the current key, in batches that each commit on their own.
 *
 * Resumable by construction: what is already under the current key is never
 * selected again, so a run that was interrupted (killed, a lost connection)
 * is finished by running it again. The run that completes records a
 * `maintenance` event on the system chain; after it no value names the
 * previous key and `ENCRYPTION_KEY_PREVIOUS` can be removed.
 */
import * as AuditEvent from "@loan-ledger/domain/AuditEvent"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as Actor from "@loan-ledger/domain/Actor"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import type { PiiDecryptError, UnknownKeyId } from "@loan-ledger/domain/Errors"
import { PiiVault } from "@loan-ledger/domain/PiiVault"
import { UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type ApplicationCiphertexts, type DocumentCiphertext, RotationStore } from "@loan-ledger/adapters-pg/RotationStore"

/** Rows per batch (`PII_ROTATION_BATCH_SIZE`); documents go at most ten at a time (they may be 27 MB each). */
export const batchSize = Config.integer("PII_ROTATION_BATCH_SIZE").pipe(
  Config.withDefault(100),
  Config.validate({ message: "PII_ROTATION_BATCH_SIZE must be between 1 and 10000", validation: (n) => n >= 1 && n <= 10_000 })
)
const MAX_DOCUMENT_BATCH = 10

/**
 * A value that cannot be re-encrypted: its key id is not configured, or it
 * does not decrypt. Names the row (an id, never the value); the batch it was
 * in rolled back, everything before it is kept.
 */
export class RotationFailed extends Schema.TaggedError<RotationFailed>()("RotationFailed", {
  what: Schema.Literal("applications", "documents"),
  id: Schema.String,
  cause: Schema.Unknown
}) {
  get unknownKeyId(): number | undefined {
    const cause = this.cause as { readonly _tag?: string; readonly keyId?: number }
    return cause._tag === "UnknownKeyId" ? cause.keyId : undefined
  }
  override get message(): string {
    const row = `${this.what === "applications" ? "application" : "document"} ${this.id}`
    const keyId = this.unknownKeyId
    if (keyId !== undefined) {
      return `${row} holds a value under key id ${keyId}, which is not configured: ` +
        `set ENCRYPTION_KEY_PREVIOUS to that key and ENCRYPTION_KEY_PREVIOUS_ID=${keyId}, then run pii rotate again`
    }
    const reason = (this.cause as { readonly reason?: string }).reason ?? "unreadable"
    return `${row} holds a value that does not decrypt (${reason}); nothing of its batch was changed`
  }
}

export interface RotationReport {
  readonly keyId: number
  readonly fromKeyIds: ReadonlyArray<number>
  readonly applications: number
  readonly documents: number
  /** Rows left for a later pass because they changed while being rotated (normally none). */
  readonly skipped: number
}

export interface Hooks {
  /** After each committed batch: what it re-encrypted. */
  readonly onBatch: (what: "applications" | "documents", count: number, total: number) => Effect.Effect<void>
}

export const rotate = (actor: Actor.Actor, hooks: Hooks) =>
  Effect.gen(function*() {
    const store = yield* RotationStore
    const vault = yield* PiiVault
    const uow = yield* UnitOfWork
    const audit = yield* AuditLog
    const size = yield* batchSize
    const keyId = vault.currentKeyId
    const before = yield* store.remaining(keyId)
    let applications = 0
    let documents = 0
    let skipped = 0

    const reencrypt = (value: Uint8Array | null) => (value === null ? Effect.succeed(null) : vault.reencrypt(value))

    const rotateApplication = (row: ApplicationCiphertexts) =>
      Effect.gen(function*() {
        const next = {
          id: row.id,
          ssn: yield* vault.reencrypt(row.ssn),
          accountNumbers: yield* reencrypt(row.accountNumbers),
          governmentId: yield* reencrypt(row.governmentId)
        }
        return yield* store.swapApplication(row, next)
      })

    const rotateDocument = (row: DocumentCiphertext) =>
      Effect.flatMap(vault.reencrypt(row.content), (content) => store.swapDocument(row, { id: row.id, content }))

    /** One keyset pass over a table; each batch is its own transaction. */
    const pass = <Row extends { readonly id: string }>(
      what: "applications" | "documents",
      read: (after: Option.Option<string>) => Effect.Effect<ReadonlyArray<Row>>,
      rotateRow: (row: Row) => Effect.Effect<boolean, PiiDecryptError | UnknownKeyId>
    ) =>
      Effect.gen(function*() {
        let after = Option.none<string>()
        let done = 0
        for (;;) {
          const batch = yield* read(after)
          if (batch.length === 0) return done
          const swapped = yield* uow.transaction(
            [],
            Effect.forEach(batch, (row) =>
              Effect.mapError(rotateRow(row), (cause) => new RotationFailed({ what, id: row.id, cause })))
          )
          const count = swapped.filter(Boolean).length
          skipped += batch.length - count
          done += count
          yield* hooks.onBatch(what, count, done)
          after = Option.some(batch[batch.length - 1]!.id)
        }
      })

    // A second pass catches rows written under an old key while the first ran; more would mean a
    // server still encrypting under the old key.
    for (let round = 0; round < 2; round++) {
      applications += yield* pass("applications", (after) => store.applications(keyId, after, size), rotateApplication)
      documents += yield* pass(
        "documents",
        (after) => store.documents(keyId, after, Math.min(size, MAX_DOCUMENT_BATCH)),
        rotateDocument
      )
      const left = yield* store.remaining(keyId)
      if (left.applications === 0 && left.documents === 0) break
    }

    const report: RotationReport = { keyId, fromKeyIds: before.keyIds, applications, documents, skipped }
    if (applications + documents > 0) {
      const after = yield* store.remaining(keyId)
      yield* uow.transaction(
        [ChainKey.system],
        audit.append(AuditEvent.makeInput({
          applicationId: null,
          eventType: "maintenance",
          ...Actor.auditFields(actor),
          reasoning: "pii rotate: ciphertexts re-encrypted under the current key",
          metadata: {
            action: "pii_rotate",
            key_id: keyId,
            from_key_ids: [...before.keyIds],
            applications_reencrypted: applications,
            documents_reencrypted: documents,
            applications_remaining: after.applications,
            documents_remaining: after.documents
          }
        }))
      )
    }
    return report
  })
