/**
 * `ApiKeyRepository` on `api_keys`: HMACs only, never a key. Lists are
 * newest first with a `created_at:id` keyset cursor. Keys are revoked
 * (`is_active = false`), never deleted: audit events name them.
 */
import * as Model from "@effect/sql/Model"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ApiKeyRecord, Description, KeyHash } from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeyRepository } from "@loan-ledger/domain/ApiKeyRepository"
import { ApiKeyId } from "@loan-ledger/domain/Ids"
import { Role } from "@loan-ledger/domain/Role"
import { TimestampFromText } from "@loan-ledger/domain/Timestamp"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import * as KeysetCursor from "./KeysetCursor.js"
import * as Rows from "./Rows.js"
import * as TimestampText from "./TimestampText.js"

export class ApiKeyRow extends Model.Class<ApiKeyRow>("ApiKeyRow")({
  id: ApiKeyId,
  /** An HMAC, not the key; still nothing a JSON view needs. */
  key_hash: Model.Sensitive(KeyHash),
  role: Role,
  description: Schema.NullOr(Description),
  expires_at: Schema.NullOr(TimestampFromText),
  is_active: Schema.Boolean,
  is_seed: Schema.Boolean,
  created_at: TimestampFromText
}) {}

const toDomain = (row: ApiKeyRow): ApiKeyRecord =>
  ApiKeyRecord.make({
    id: row.id,
    keyHash: row.key_hash,
    role: row.role,
    description: row.description,
    expiresAt: row.expires_at,
    isActive: row.is_active,
    isSeed: row.is_seed,
    createdAt: row.created_at
  })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const columns = sql`id::text AS id, key_hash, role, description, ${TimestampText.select(sql, "expires_at")},
    is_active, is_seed, ${TimestampText.select(sql, "created_at")}`
  const { all: records, first } = Rows.reader(ApiKeyRow, "API key", toDomain)

  const insert = (record: ApiKeyRecord) =>
    sql`INSERT INTO api_keys (id, key_hash, role, description, expires_at, is_active, is_seed, created_at)
      VALUES (${record.id}, ${record.keyHash}, ${record.role}, ${record.description},
        ${record.expiresAt}::timestamptz, ${record.isActive}, ${record.isSeed}, ${record.createdAt}::timestamptz)`
      .pipe(statement("insert API key"), Effect.asVoid, requireTransaction("inserting an API key"))

  const findByHash = (keyHash: KeyHash) =>
    sql`SELECT ${columns} FROM api_keys WHERE key_hash = ${keyHash}`.pipe(
      statement("look up API key"),
      Effect.flatMap(first)
    )

  const findById = (id: ApiKeyId) =>
    sql`SELECT ${columns} FROM api_keys WHERE id = ${id}`.pipe(statement("read API key"), Effect.flatMap(first))

  const findByIdForUpdate = (id: ApiKeyId) =>
    sql`SELECT ${columns} FROM api_keys WHERE id = ${id} FOR UPDATE`.pipe(
      statement("lock API key"),
      Effect.flatMap(first),
      requireTransaction("reading an API key FOR UPDATE")
    )

  const list: ApiKeyRepository["Type"]["list"] = (page) =>
    Effect.gen(function*() {
      const limit = yield* KeysetCursor.checkLimit(page)
      const after = yield* KeysetCursor.decodeRequest(page, KeysetCursor.decodeTimeAndId)
      const rows = yield* sql`SELECT ${columns} FROM api_keys${
        Option.match(after, {
          onNone: () => sql``,
          onSome: (key) => sql` WHERE (created_at, id) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`
        })
      }
        ORDER BY api_keys.created_at DESC, api_keys.id DESC LIMIT ${limit + 1}`.pipe(statement("list API keys"))
      return KeysetCursor.toPage(yield* records(rows), limit, (last) => KeysetCursor.encodeTimeAndId(last))
    })

  const deactivate = (id: ApiKeyId) =>
    sql`UPDATE api_keys SET is_active = false WHERE id = ${id} RETURNING id`.pipe(
      statement("revoke API key"),
      Effect.flatMap((rows) => rows.length === 1 ? Effect.void : Effect.dieMessage(`API key ${id} does not exist`)),
      requireTransaction("revoking an API key")
    )

  return ApiKeyRepository.of({ insert, findByHash, findById, findByIdForUpdate, list, deactivate })
})

export const layer: Layer.Layer<ApiKeyRepository, never, SqlClient.SqlClient> = Layer.effect(ApiKeyRepository, make)
