/**
 * Migration 006, one mechanism at a time: the owner's UPDATE, DELETE and
 * TRUNCATE hit the trigger guard; id and created_at are the database's; the
 * runtime role cannot write the trail directly; SET LOCAL ROLE audit_writer
 * inserts and nothing else, and the pooled connection is the runtime role
 * again once the transaction ends.
 */
import { PgClient } from "@effect/sql-pg"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { createTestDatabase } from "./support/database.js"

const ZEROS = "0".repeat(64)

/** A copy of the migrated template, with one pooled connection as the owner and one as the runtime role. */
const migratedDatabase = Effect.gen(function*() {
  const db = yield* Effect.acquireRelease(
    Effect.promise(() => createTestDatabase({ migrated: true })),
    (db) => Effect.promise(() => db.drop())
  )
  const connect = (url: string) =>
    Effect.map(
      Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
      (context) => Context.get(context, SqlClient.SqlClient)
    )
  return { db, owner: yield* connect(db.adminUrl), runtime: yield* connect(db.appUrl) }
})

/** The SQLSTATE and message of a statement that must fail. */
const failure = <A>(statement: Effect.Effect<A, SqlError>) =>
  Effect.flip(statement).pipe(Effect.map((error) => {
    const cause = error.cause as { readonly code?: string; readonly message?: string }
    return { code: cause.code, message: cause.message }
  }))

const insertEvent = (sql: SqlClient.SqlClient) =>
  sql`INSERT INTO audit_events (event_type, actor_id, actor_type, prev_event_hash)
      VALUES ('maintenance', 'immutability-test', 'system', ${ZEROS})`

const PERMISSION_DENIED = { code: "42501", message: "permission denied for table audit_events" }
const guard = (operation: string) => ({
  code: "P0001",
  message: `audit_events is append-only: ${operation} is not allowed`
})

describe("audit_events immutability (migration 006)", () => {
  it.scopedLive("refuses the owner's UPDATE and DELETE through the row trigger, with replica mode too", () =>
    Effect.gen(function*() {
      const { owner } = yield* migratedDatabase
      yield* insertEvent(owner)
      const rows = owner`SELECT id, reasoning, created_at::text FROM audit_events`
      const before = yield* rows

      expect(yield* failure(owner`UPDATE audit_events SET reasoning = 'rewritten'`)).toEqual(guard("UPDATE"))
      expect(yield* failure(owner`DELETE FROM audit_events`)).toEqual(guard("DELETE"))

      // session_replication_role = replica silences ordinary triggers; these
      // are ENABLE ALWAYS. (Only a superuser may set it at all.)
      const superuser = (yield* owner<{ s: boolean }>`SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user`)[0]?.s
      if (superuser === true) {
        const replica = yield* failure(owner.withTransaction(Effect.gen(function*() {
          yield* owner`SET LOCAL session_replication_role = replica`
          yield* owner`DELETE FROM audit_events`
        })))
        expect(replica).toEqual(guard("DELETE"))
      } else {
        expect((yield* failure(owner`SET session_replication_role = replica`)).code).toBe("42501")
      }
      expect(yield* rows).toEqual(before)
    }))

  it.scopedLive("refuses the owner's TRUNCATE through the statement trigger", () =>
    Effect.gen(function*() {
      const { owner } = yield* migratedDatabase
      yield* insertEvent(owner)
      expect(yield* failure(owner`TRUNCATE audit_events`)).toEqual(guard("TRUNCATE"))
      expect(yield* owner`SELECT count(*)::int AS n FROM audit_events`).toEqual([{ n: 1 }])
    }))

  it.scopedLive("gives an INSERT that names id or created_at the database's values, one id per row", () =>
    Effect.gen(function*() {
      const { owner } = yield* migratedDatabase
      const [started] = yield* owner<{ now: string }>`SELECT clock_timestamp()::text AS now`
      const inserted = yield* owner<{ id: string; created_at: string; recent: boolean }>`
        INSERT INTO audit_events (id, created_at, event_type, actor_id, actor_type, prev_event_hash)
        VALUES (424242, '2000-01-01T00:00:00Z', 'maintenance', 'immutability-test', 'system', ${ZEROS}),
               (424243, '2000-01-01T00:00:00Z', 'maintenance', 'immutability-test', 'system', ${ZEROS})
        RETURNING id, created_at::text, created_at >= ${started?.now}::timestamptz AS recent`
      expect(inserted.map((row) => row.id)).toEqual(["1", "2"])
      expect(inserted.every((row) => row.recent)).toBe(true)
      expect(inserted[0]?.created_at).not.toBe(inserted[1]?.created_at)
    }))

  it.scopedLive("denies the runtime role INSERT, UPDATE, DELETE and TRUNCATE, and lets it read", () =>
    Effect.gen(function*() {
      const { owner, runtime } = yield* migratedDatabase
      yield* insertEvent(owner)
      expect(yield* failure(insertEvent(runtime))).toEqual(PERMISSION_DENIED)
      expect(yield* failure(runtime`UPDATE audit_events SET reasoning = 'rewritten'`)).toEqual(PERMISSION_DENIED)
      expect(yield* failure(runtime`DELETE FROM audit_events`)).toEqual(PERMISSION_DENIED)
      expect(yield* failure(runtime`TRUNCATE audit_events`)).toEqual(PERMISSION_DENIED)
      // Nor may it switch the guards off: that takes ownership.
      expect((yield* failure(runtime`ALTER TABLE audit_events DISABLE TRIGGER USER`)).code).toBe("42501")
      expect(yield* runtime`SELECT count(*)::int AS n FROM audit_events`).toEqual([{ n: 1 }])
    }))

  it.scopedLive("lets SET LOCAL ROLE audit_writer insert but not update or delete; the connection is the runtime role again after", () =>
    Effect.gen(function*() {
      const { db, runtime } = yield* migratedDatabase
      const identity = runtime<{ user: string; pid: number }>`SELECT current_user AS user, pg_backend_pid() AS pid`
      const [start] = yield* identity
      expect(start?.user).toBe(db.appRole)
      const asAuditWriter = <A>(statement: Effect.Effect<A, SqlError>) =>
        runtime.withTransaction(Effect.gen(function*() {
          yield* runtime`SET LOCAL ROLE audit_writer`
          const [inside] = yield* identity
          expect(inside).toEqual({ user: "audit_writer", pid: start?.pid })
          return yield* statement
        }))

      yield* asAuditWriter(insertEvent(runtime))
      expect(yield* identity).toEqual([start])

      expect(yield* failure(asAuditWriter(runtime`UPDATE audit_events SET reasoning = 'rewritten'`)))
        .toEqual(PERMISSION_DENIED)
      expect(yield* identity).toEqual([start])
      expect(yield* failure(asAuditWriter(runtime`DELETE FROM audit_events`))).toEqual(PERMISSION_DENIED)
      expect(yield* identity).toEqual([start])
      expect(yield* failure(asAuditWriter(runtime`TRUNCATE audit_events`))).toEqual(PERMISSION_DENIED)
      // Column privileges: id and created_at are not the writer's to name, and it cannot read.
      expect(yield* failure(asAuditWriter(runtime`
        INSERT INTO audit_events (id, event_type, actor_id, actor_type, prev_event_hash)
        VALUES (99, 'maintenance', 'immutability-test', 'system', ${ZEROS})`))).toEqual(PERMISSION_DENIED)
      expect(yield* failure(asAuditWriter(runtime`
        INSERT INTO audit_events (created_at, event_type, actor_id, actor_type, prev_event_hash)
        VALUES (now(), 'maintenance', 'immutability-test', 'system', ${ZEROS})`))).toEqual(PERMISSION_DENIED)
      expect(yield* failure(asAuditWriter(runtime`SELECT * FROM audit_events`))).toEqual(PERMISSION_DENIED)

      // Every transaction above ended (COMMIT or ROLLBACK) on the one pooled
      // connection, which is the runtime role again: it may read, not write.
      expect(yield* identity).toEqual([start])
      expect(yield* runtime`SELECT count(*)::int AS n FROM audit_events`).toEqual([{ n: 1 }])
      expect(yield* failure(insertEvent(runtime))).toEqual(PERMISSION_DENIED)
    }))
})
