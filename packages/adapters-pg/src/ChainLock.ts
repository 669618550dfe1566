/**
 * The advisory lock of an audit chain: `pg_advisory_xact_lock(NAMESPACE,
 * hashtext(ChainKey.toString(chain)))`, the two-int4 form. The fixed first
 * key keeps our locks apart from every other user of two-int4 advisory
 * locks in the database (the migrator's is 'LLMG', Migrator.ts), and
 * PostgreSQL keeps the one-bigint keyspace apart altogether. A `hashtext`
 * collision between two chains only makes them wait for each other, never
 * breaks a chain.
 *
 * Only the transaction-scoped form is ever taken: COMMIT and ROLLBACK
 * release it, a crashed client's lock dies with its transaction, and
 * PgBouncer in transaction mode may hand the connection to anyone afterwards.
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import * as ActiveTransaction from "./ActiveTransaction.js"

/** 'LLAU' (loan-ledger audit) as an int4: the first key of every chain lock. */
export const NAMESPACE = 0x4c4c4155

/** Waits (up to the transaction's `lock_timeout`) for the chain's lock. */
export const acquire = (sql: SqlClient, chain: ChainKey.ChainKey): Effect.Effect<void> =>
  sql`SELECT pg_advisory_xact_lock(${NAMESPACE}, hashtext(${ChainKey.toString(chain)}))`.pipe(
    Effect.asVoid,
    ActiveTransaction.statement("take the audit chain lock")
  )

/**
 * A boolean SQL expression: this backend holds the chain's lock right now.
 * pg_locks shows a two-int4 advisory lock as classid = key 1, objid = key 2
 * (as oid, i.e. the int4's bits unsigned) and objsubid = 2.
 */
export const heldExpression = (sql: SqlClient, chain: ChainKey.ChainKey) =>
  sql`EXISTS (
    SELECT FROM pg_catalog.pg_locks
    WHERE locktype = 'advisory' AND granted AND pid = pg_catalog.pg_backend_pid()
      AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
      AND classid = ${NAMESPACE}::oid AND objid = hashtext(${ChainKey.toString(chain)})::oid AND objsubid = 2
  )`
