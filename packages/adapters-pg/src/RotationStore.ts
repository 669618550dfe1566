/**
 * The statements of `pii rotate`: find ciphertexts whose key-id byte is not
 * the current key's, and swap each for its re-encryption. No port offers
 * this, because only a key rotation ever rewrites a stored ciphertext.
 *
 * Batches walk each table in primary-key order (keyset, so a batch costs the
 * same however far the walk is) and every swap is a compare-and-set on the
 * old bytes: a row that changed meanwhile is left for the next pass rather
 * than overwritten. The runtime role may do all of this (UPDATE on
 * loan_applications and document_contents); `updated_at` is not touched,
 * since re-encryption changes how a value is stored, not the application.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { statement } from "./ActiveTransaction.js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

export interface ApplicationCiphertexts {
  readonly id: string
  readonly ssn: Uint8Array
  readonly accountNumbers: Uint8Array | null
  readonly governmentId: Uint8Array | null
}

export interface DocumentCiphertext {
  readonly id: string
  readonly content: Uint8Array
}

export interface Remaining {
  readonly applications: number
  readonly documents: number
  /** Key ids found on the values still to rotate. */
  readonly keyIds: ReadonlyArray<number>
}

export class RotationStore extends Context.Tag("@loan-ledger/adapters-pg/RotationStore")<RotationStore, {
  /** Applications after `after` (by id) holding a ciphertext not under `keyId`. */
  readonly applications: (keyId: number, after: Option.Option<string>, limit: number) => Effect.Effect<ReadonlyArray<ApplicationCiphertexts>>
  readonly documents: (keyId: number, after: Option.Option<string>, limit: number) => Effect.Effect<ReadonlyArray<DocumentCiphertext>>
  /** True when the row still held `old` and now holds `next`. */
  readonly swapApplication: (old: ApplicationCiphertexts, next: ApplicationCiphertexts) => Effect.Effect<boolean>
  readonly swapDocument: (old: DocumentCiphertext, next: DocumentCiphertext) => Effect.Effect<boolean>
  readonly remaining: (keyId: number) => Effect.Effect<Remaining>
}>() {}

const bytes = (value: Uint8Array | null): Uint8Array | null => (value === null ? null : new Uint8Array(value))

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const afterId = (after: Option.Option<string>, column: string) =>
    Option.match(after, { onNone: () => sql``, onSome: (id) => sql` AND ${sql(column)} > ${id}::uuid` })

  // get_byte of a NULL column is NULL, which the OR ignores: only present values count.
  const notUnder = (keyId: number) =>
    sql`(get_byte(ssn_encrypted, 0) <> ${keyId} OR get_byte(account_numbers_encrypted, 0) <> ${keyId}
      OR get_byte(government_id_encrypted, 0) <> ${keyId})`

  const applications = (keyId: number, after: Option.Option<string>, limit: number) =>
    sql<{
      readonly id: string
      readonly ssn_encrypted: Uint8Array
      readonly account_numbers_encrypted: Uint8Array | null
      readonly government_id_encrypted: Uint8Array | null
    }>`SELECT id::text AS id, ssn_encrypted, account_numbers_encrypted, government_id_encrypted
      FROM loan_applications WHERE ${notUnder(keyId)}${afterId(after, "id")}
      ORDER BY loan_applications.id LIMIT ${limit}`.pipe(
      statement("read ciphertexts to rotate"),
      Effect.map((rows) =>
        rows.map((r) => ({
          id: r.id,
          ssn: new Uint8Array(r.ssn_encrypted),
          accountNumbers: bytes(r.account_numbers_encrypted),
          governmentId: bytes(r.government_id_encrypted)
        }))
      )
    )

  const documents = (keyId: number, after: Option.Option<string>, limit: number) =>
    sql<{ readonly id: string; readonly content_encrypted: Uint8Array }>`SELECT document_id::text AS id, content_encrypted
      FROM document_contents WHERE get_byte(content_encrypted, 0) <> ${keyId}${afterId(after, "document_id")}
      ORDER BY document_contents.document_id LIMIT ${limit}`.pipe(
      statement("read document contents to rotate"),
      Effect.map((rows) => rows.map((r) => ({ id: r.id, content: new Uint8Array(r.content_encrypted) })))
    )

  const swapApplication = (old: ApplicationCiphertexts, next: ApplicationCiphertexts) =>
    sql`UPDATE loan_applications SET ssn_encrypted = ${next.ssn},
        account_numbers_encrypted = ${next.accountNumbers}, government_id_encrypted = ${next.governmentId}
      WHERE id = ${old.id}::uuid AND ssn_encrypted = ${old.ssn}
        AND account_numbers_encrypted IS NOT DISTINCT FROM ${old.accountNumbers}::bytea
        AND government_id_encrypted IS NOT DISTINCT FROM ${old.governmentId}::bytea
      RETURNING id`.pipe(statement("store rotated ciphertexts"), Effect.map((rows) => rows.length === 1))

  const swapDocument = (old: DocumentCiphertext, next: DocumentCiphertext) =>
    sql`UPDATE document_contents SET content_encrypted = ${next.content}
      WHERE document_id = ${old.id}::uuid AND content_encrypted = ${old.content}
      RETURNING document_id`.pipe(statement("store a rotated document"), Effect.map((rows) => rows.length === 1))

  const remaining = (keyId: number) =>
    sql<{ readonly applications: string; readonly documents: string; readonly key_ids: ReadonlyArray<number> | null }>`
      SELECT (SELECT count(*) FROM loan_applications WHERE ${notUnder(keyId)}) AS applications,
             (SELECT count(*) FROM document_contents WHERE get_byte(content_encrypted, 0) <> ${keyId}) AS documents,
             (SELECT array_agg(DISTINCT k ORDER BY k) FROM (
                SELECT get_byte(ssn_encrypted, 0) AS k FROM loan_applications
                UNION SELECT get_byte(account_numbers_encrypted, 0) FROM loan_applications
                UNION SELECT get_byte(government_id_encrypted, 0) FROM loan_applications
                UNION SELECT get_byte(content_encrypted, 0) FROM document_contents) ids
              WHERE k IS NOT NULL AND k <> ${keyId}) AS key_ids`.pipe(
      statement("count ciphertexts to rotate"),
      Effect.map(([row]) => ({
        applications: Number(row?.applications ?? 0),
        documents: Number(row?.documents ?? 0),
        keyIds: row?.key_ids ?? []
      }))
    )

  return RotationStore.of({ applications, documents, swapApplication, swapDocument, remaining })
})

export const layer: Layer.Layer<RotationStore, never, SqlClient.SqlClient> = Layer.effect(RotationStore, make)
