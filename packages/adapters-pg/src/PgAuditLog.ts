/**
 * `AuditLog` on `audit_events`.
 *
 * `append` is steps 2 and 3 of the audited transaction (step 1, the chain
 * lock, is PgUnitOfWork's): read the chain head, compute `prev_event_hash`,
 * `SET LOCAL ROLE audit_writer`, INSERT without RETURNING (that would need
 * SELECT, which audit_writer lacks on purpose), `RESET ROLE`, and read the
 * stored row back as the runtime role. The database assigns `id` and
 * `created_at` (migration 006's trigger).
 *
 * Before touching anything it proves, at run time, what the `Transaction`
 * requirement promises at compile time: that the statement runs inside the
 * unit of work's transaction on the same connection (the transaction-local
 * token) and that this backend holds the chain's advisory lock (pg_locks).
 * Otherwise the append is refused as a defect and nothing is written.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { type AuditEvent, AuditEventInput, AuditEventRow, fromRow, toInsertRow } from "@loan-ledger/domain/AuditEvent"
import { AuditLog, type AuditQuery } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import type { ValidationError } from "@loan-ledger/domain/Errors"
import { ApplicationId } from "@loan-ledger/domain/Ids"
import { MAX_AUDIT_LIMIT } from "@loan-ledger/domain/Pagination"
import { Transaction, holdsLock } from "@loan-ledger/domain/UnitOfWork"
import * as Validation from "@loan-ledger/domain/Validation"
import { ActiveTransaction, statement, TOKEN_SETTING } from "./ActiveTransaction.js"
import * as ChainLock from "./ChainLock.js"
import * as KeysetCursor from "./KeysetCursor.js"
import * as TimestampText from "./TimestampText.js"
import { AuditAppendRefused } from "./TransactionErrors.js"

/** The role whose INSERT right on audit_events the runtime role may borrow (migration 006). */
export const AUDIT_WRITER_ROLE = "audit_writer"

/** Rows per round trip when a chain is streamed: memory stays bounded by one batch. */
export const CHAIN_BATCH_SIZE = 1000

const validateInput = Schema.validateEither(Schema.Struct(AuditEventInput.fields), { errors: "all" })
const decodeRow = Schema.decodeUnknownEither(AuditEventRow)

/**
 * Every column, as text where `pg` would change it: ids (int8), NUMERIC,
 * timestamps (microseconds) and jsonb (numbers past 2^53), so that the hash
 * is computed over exactly what is stored.
 */
export const EVENT_COLUMNS = `id::text AS id, application_id::text AS application_id, event_type, actor_id,
  actor_type, actor_role, agent_name, confidence_score::text AS confidence_score, reasoning, input_data_hash,
  previous_state, new_state, metadata::text AS metadata, prev_event_hash, ${TimestampText.selectText("created_at")}`

/**
 * Back to the runtime role, and the event as stored, in one round trip (a
 * simple-protocol query: it has no parameters). `currval` is this session's
 * last value of the sequence: the id the INSERT trigger just drew for this
 * event. The round trip is saved inside the chain lock, where every one
 * counts: the lock is held until COMMIT.
 */
export const RESET_ROLE_AND_READ_BACK =
  `RESET ROLE; SELECT ${EVENT_COLUMNS} FROM audit_events WHERE id = currval('audit_events_id_seq')`

const HeadCheck = Schema.Struct({
  in_transaction: Schema.Boolean,
  holds_lock: Schema.Boolean
})

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const columns = sql.literal(EVENT_COLUMNS)

  const chainFilter = (chain: ChainKey.ChainKey) => {
    const applicationId = ChainKey.applicationIdOf(chain)
    return applicationId === null ? sql`application_id IS NULL` : sql`application_id = ${applicationId}`
  }

  const toEvent = (row: unknown, what: string): Effect.Effect<AuditEvent> =>
    Either.match(Either.flatMap(Either.mapLeft(decodeRow(row), (e) => Validation.fromParseError(e)), fromRow), {
      onLeft: (error) => Effect.dieMessage(`${what} cannot be read as an audit event (${error.message})`),
      onRight: Effect.succeed
    })

  const refuse = (chain: ChainKey.ChainKey, reason: string) =>
    Effect.die(new AuditAppendRefused({ chain: ChainKey.toString(chain), reason }))

  const append = (input: AuditEventInput): Effect.Effect<AuditEvent, never, Transaction> =>
    Effect.gen(function*() {
      const chain = ChainKey.of(input.applicationId)
      const transaction = yield* Transaction
      const active = yield* Effect.serviceOption(ActiveTransaction)
      const connection = yield* Effect.serviceOption(SqlClient.TransactionConnection)
      if (Option.isNone(active) || Option.isNone(connection)) {
        return yield* refuse(chain, "no transaction of the unit of work is open")
      }
      if (!holdsLock(transaction, chain) || !active.value.chains.some((c) => ChainKey.equals(c, chain))) {
        return yield* refuse(chain, "the transaction did not lock this chain")
      }
      const valid = validateInput(input)
      if (Either.isLeft(valid)) {
        return yield* refuse(chain, `the event is invalid: ${Validation.fromParseError(valid.left).message}`)
      }

      // The checks and the head in one round trip. The head is read by a
      // statement issued after the lock was granted; at READ COMMITTED it
      // sees every event the previous lock holder committed.
      const [row] = yield* sql<{ readonly in_transaction: boolean; readonly holds_lock: boolean; readonly id: string | null }>`
        SELECT checks.in_transaction, checks.holds_lock, head.*
        FROM (SELECT coalesce(current_setting(${TOKEN_SETTING}, true) = ${active.value.token}, false) AS in_transaction,
                     ${ChainLock.heldExpression(sql, chain)} AS holds_lock) AS checks
        LEFT JOIN LATERAL (
          SELECT ${columns} FROM audit_events WHERE ${chainFilter(chain)} ORDER BY audit_events.id DESC LIMIT 1
        ) AS head ON true`.pipe(statement("read the audit chain head"))
      const checks = Schema.decodeUnknownOption(HeadCheck)(row)
      if (Option.isNone(checks) || !checks.value.in_transaction) {
        return yield* refuse(chain, "the statement does not run in the unit of work's transaction")
      }
      if (!checks.value.holds_lock) {
        return yield* refuse(chain, "this connection does not hold the chain's advisory lock")
      }
      const head = row?.id === null || row === undefined
        ? Option.none<AuditEvent>()
        : Option.some(yield* toEvent(row, "the chain head"))
      const prevEventHash = AuditChain.nextPrevHash(head)

      const values = toInsertRow(valid.right, prevEventHash)
      yield* sql`SET LOCAL ROLE ${sql.literal(AUDIT_WRITER_ROLE)}`.pipe(statement("become audit_writer"))
      yield* sql`INSERT INTO audit_events (application_id, event_type, actor_id, actor_type, actor_role, agent_name,
          confidence_score, reasoning, input_data_hash, previous_state, new_state, metadata, prev_event_hash)
        VALUES (${values.application_id}, ${values.event_type}, ${values.actor_id}, ${values.actor_type},
          ${values.actor_role}, ${values.agent_name}, ${values.confidence_score}, ${values.reasoning},
          ${values.input_data_hash}, ${values.previous_state}, ${values.new_state}, ${values.metadata}::jsonb,
          ${values.prev_event_hash})`.pipe(statement("insert the audit event"))
      const results = yield* sql.unsafe<ReadonlyArray<unknown>>(RESET_ROLE_AND_READ_BACK).pipe(
        statement("reset the role and read the stored audit event")
      )
      const event = yield* toEvent(results[1]?.[0], "the stored event")
      if (event.prevEventHash !== prevEventHash || !ChainKey.equals(ChainKey.of(event.applicationId), chain)) {
        return yield* Effect.dieMessage("the stored audit event does not match the one written")
      }
      return event
    })

  const query = (query: AuditQuery): Effect.Effect<
    { readonly items: ReadonlyArray<AuditEvent>; readonly nextCursor: Option.Option<string>; readonly hasMore: boolean },
    ValidationError
  > =>
    Effect.gen(function*() {
      const limit = yield* KeysetCursor.checkLimit(query.page, MAX_AUDIT_LIMIT)
      const after = yield* KeysetCursor.decodeRequest(query.page, KeysetCursor.decodeEventId)
      const conditions = [
        chainFilter(query.chain),
        ...Option.toArray(Option.map(query.eventType, (type) => sql`event_type = ${type}`)),
        ...Option.toArray(Option.map(query.from, (from) => sql`created_at >= ${from}::timestamptz`)),
        ...Option.toArray(Option.map(query.to, (to) => sql`created_at < ${to}::timestamptz`)),
        ...Option.toArray(Option.map(after, (id) => sql`id > ${id}::bigint`))
      ]
      const rows = yield* sql`SELECT ${columns} FROM audit_events WHERE ${sql.and(conditions)}
        ORDER BY audit_events.id LIMIT ${limit + 1}`.pipe(statement("query audit events"))
      const events = yield* Effect.forEach(rows, (row) => toEvent(row, "a stored event"))
      return KeysetCursor.toPage(events, limit, (last) => KeysetCursor.encodeEventId(last.id))
    })

  // Keyset batches rather than a server-side cursor: no statement or
  // transaction stays open while the consumer works, which PgBouncer in
  // transaction mode needs, and memory holds one batch.
  const readChain = (chain: ChainKey.ChainKey): Stream.Stream<AuditEventRow> =>
    Stream.paginateChunkEffect(Option.none<string>(), (after) =>
      sql<AuditEventRow>`SELECT ${columns} FROM audit_events
        WHERE ${chainFilter(chain)}${Option.match(after, { onNone: () => sql``, onSome: (id) => sql` AND id > ${id}::bigint` })}
        ORDER BY audit_events.id LIMIT ${CHAIN_BATCH_SIZE}`.pipe(
        statement("read an audit chain"),
        Effect.map((rows) => {
          const last = rows[rows.length - 1]
          // The state of the next page: Some(after) continues, None ends.
          const next = rows.length === CHAIN_BATCH_SIZE && last !== undefined
            ? Option.some(Option.some(typeof last.id === "string" ? last.id : last.id.toString()))
            : Option.none()
          return [Chunk.unsafeFromArray(rows), next] as const
        })
      ))

  const systemChainExists = sql<{ readonly exists: boolean }>`SELECT EXISTS (
      SELECT FROM audit_events WHERE application_id IS NULL) AS exists`.pipe(
    statement("look for the system chain"),
    Effect.map(([row]) => row?.exists === true)
  )

  const isApplicationId = Schema.is(ApplicationId)

  // Distinct application ids in keyset batches over the (application_id, id)
  // index: constant memory however many applications there are. Ordered by
  // the uuid column, not its text alias: ORDER BY prefers an output column's
  // name, and text order would defeat the index.
  const applicationChains = Stream.paginateChunkEffect(Option.none<string>(), (after) =>
    sql<{ readonly application_id: string }>`SELECT chains.application_id::text AS application_id
      FROM (
        SELECT DISTINCT audit_events.application_id FROM audit_events
        WHERE audit_events.application_id IS NOT NULL${
      Option.match(after, { onNone: () => sql``, onSome: (id) => sql` AND audit_events.application_id > ${id}::uuid` })
    }
        ORDER BY audit_events.application_id LIMIT ${CHAIN_BATCH_SIZE}
      ) AS chains
      ORDER BY chains.application_id`.pipe(
      statement("list audit chains"),
      Effect.flatMap((rows) =>
        Effect.map(
          Effect.forEach(rows, (row) =>
            isApplicationId(row.application_id)
              ? Effect.succeed(ChainKey.application(row.application_id))
              : Effect.dieMessage("audit_events holds an application id that is not a canonical UUID")),
          (keys) => {
            const last = rows[rows.length - 1]
            const next = rows.length === CHAIN_BATCH_SIZE && last !== undefined
              ? Option.some(Option.some(last.application_id))
              : Option.none()
            return [Chunk.unsafeFromArray(keys), next] as const
          }
        )
      )
    ))

  const chains: Stream.Stream<ChainKey.ChainKey> = Stream.concat(
    Stream.unwrap(Effect.map(systemChainExists, (exists) => exists ? Stream.make(ChainKey.system) : Stream.empty)),
    applicationChains
  )

  return AuditLog.of({ append, query, readChain, chains })
})

export const layer: Layer.Layer<AuditLog, never, SqlClient.SqlClient> = Layer.effect(AuditLog, make)
