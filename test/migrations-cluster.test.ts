/**
 * Roles are cluster-wide, tables are per database: two databases of this
 * system in one cluster must be able to migrate at the same moment, and one
 * going all the way down must not disturb the other, down to a runtime
 * session that stays open on it.
 */
import { PgClient } from "@effect/sql-pg"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import type { MigrationSettingsShape } from "@loan-ledger/adapters-pg/MigrationSettings"
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import { catalogSnapshot } from "./support/catalog.js"
import { clusterAdminUrl, createTestDatabase, type TestDatabase } from "./support/database.js"
import { migratorLayer } from "./support/migrator.js"

const emptyDatabase = Effect.acquireRelease(
  Effect.promise(() => createTestDatabase({ migrated: false })),
  (db) => Effect.promise(() => db.drop())
)

const migrate = <A, E>(
  db: TestDatabase,
  effect: Effect.Effect<A, E, Migrator>,
  settings: Partial<MigrationSettingsShape> = {}
) =>
  Effect.provide(
    effect,
    migratorLayer(db.adminUrl, { appRole: db.appRole, ...settings })
  )

/** A pool of ONE connection: every statement of the session runs on the same backend. */
const session = (url: string) =>
  Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))

const asUser = (url: string, user: string, password: string) => {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(user)
  parsed.password = encodeURIComponent(password)
  return parsed.toString()
}

/** The audited write path of the runtime role: SET LOCAL ROLE audit_writer, INSERT, RESET ROLE. */
const auditedInsert = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`SET LOCAL ROLE audit_writer`
    yield* sql`
      INSERT INTO audit_events (event_type, actor_id, actor_type, prev_event_hash)
      VALUES ('maintenance', 'cluster-test', 'system', ${"0".repeat(64)})`
    yield* sql`RESET ROLE`
    const rows = yield* sql<{ id: string }>`SELECT id FROM audit_events WHERE id = currval('audit_events_id_seq')`
    return rows[0]?.id
  }))
})

const whoAmI = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ user: string; pid: number; events: number }>`
    SELECT current_user AS user, pg_backend_pid() AS pid, (SELECT count(*)::int FROM audit_events) AS events`
).pipe(Effect.map((rows) => rows[0]))

/** A superuser connection to the cluster's maintenance database. */
const clusterSql = Effect.map(Layer.build(PgClient.layer({ url: Redacted.make(clusterAdminUrl()) })), (context) =>
  <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Effect.provide(effect, context))

describe("migrations in two databases of one cluster", () => {
  it.scopedLive("migrate up at the same moment without a role error", () =>
    Effect.gen(function*() {
      const a = yield* emptyDatabase
      const b = yield* emptyDatabase
      const [runA, runB] = yield* Effect.all([migrate(a, Migrator.up()), migrate(b, Migrator.up())], {
        concurrency: "unbounded"
      })
      expect([runA.version, runB.version]).toEqual([8, 8])
      for (const db of [a, b]) {
        const runtime = yield* session(db.appUrl)
        expect(yield* Effect.provide(auditedInsert, runtime)).toBe("1")
      }
    }))

  it.scopedLive("one going all the way down leaves the other working, its open runtime session included", () =>
    Effect.gen(function*() {
      const a = yield* emptyDatabase
      const b = yield* emptyDatabase
      yield* migrate(a, Migrator.up())
      yield* migrate(b, Migrator.up())
      const roles = [b.appRole, "audit_writer"]

      const runtimeB = yield* session(b.appUrl)
      const before = yield* Effect.provide(whoAmI, runtimeB)
      expect(before).toEqual({ user: b.appRole, pid: expect.any(Number), events: 0 })
      yield* Effect.provide(auditedInsert, runtimeB)
      const catalogB = yield* Effect.promise(() => catalogSnapshot(b.adminUrl, roles))

      const down = yield* migrate(a, Migrator.down({ steps: 8 }))
      expect(down.version).toBe(0)
      const catalogA = yield* Effect.promise(() => catalogSnapshot(a.adminUrl, roles))
      expect(catalogA.relations).toEqual([expect.objectContaining({ name: "public.schema_migrations" })])
      expect(catalogA.functions).toEqual([])

      // B: same catalog (the shared roles and the membership included), the
      // same session on the same backend still reads and still writes the trail.
      expect(yield* Effect.promise(() => catalogSnapshot(b.adminUrl, roles))).toEqual(catalogB)
      yield* Effect.provide(auditedInsert, runtimeB)
      expect(yield* Effect.provide(whoAmI, runtimeB)).toEqual({ user: b.appRole, pid: before?.pid, events: 2 })
      const freshB = yield* session(b.appUrl)
      yield* Effect.provide(auditedInsert, freshB)

      // A comes back up next to B.
      expect((yield* migrate(a, Migrator.up())).version).toBe(8)
      yield* Effect.provide(auditedInsert, yield* session(a.appUrl))
      expect(yield* Effect.provide(whoAmI, runtimeB)).toMatchObject({ pid: before?.pid, events: 3 })
    }))

  it.scopedLive("create a new runtime role once when both migrate at once, never drop it, and share its membership", () =>
    Effect.gen(function*() {
      const role = `ll_app_${process.pid}_${Date.now().toString(36)}`
      const password = "cluster-test-password"
      const cluster = yield* clusterSql
      // Registered before the databases, so it runs after they are dropped.
      yield* Effect.addFinalizer(() =>
        cluster(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DROP ROLE IF EXISTS ${sql(role)}`)).pipe(Effect.orDie)
      )
      const a = yield* emptyDatabase
      const b = yield* emptyDatabase
      const settings = { appRole: role }

      yield* Effect.all([migrate(a, Migrator.up(), settings), migrate(b, Migrator.up(), settings)], {
        concurrency: "unbounded"
      })
      const facts = cluster(Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ login: boolean; superuser: boolean; member: boolean; inherits_rights: boolean }>`
          SELECT r.rolcanlogin AS login, r.rolsuper AS superuser,
                 pg_has_role(r.rolname, 'audit_writer', 'MEMBER') AS member,
                 pg_has_role(r.rolname, 'audit_writer', 'USAGE') AS inherits_rights
          FROM pg_roles r WHERE r.rolname = ${role}`))
      expect(yield* facts).toEqual([{ login: false, superuser: false, member: true, inherits_rights: false }])

      // Operators give the runtime role its login; then both databases accept its audited writes.
      yield* cluster(Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.unsafe(`ALTER ROLE ${role} LOGIN PASSWORD '${password}'`)))
      const runtimeA = yield* session(asUser(a.adminUrl, role, password))
      const runtimeB = yield* session(asUser(b.adminUrl, role, password))
      yield* Effect.provide(auditedInsert, runtimeA)
      yield* Effect.provide(auditedInsert, runtimeB)

      // A all the way down: B still depends on the role, so the membership stays.
      yield* migrate(a, Migrator.down({ steps: 8 }), settings)
      expect(yield* facts).toEqual([{ login: true, superuser: false, member: true, inherits_rights: false }])
      yield* Effect.provide(auditedInsert, runtimeB)

      // B all the way down too: no database depends on the role any more, so
      // the membership goes; the role itself stays, and so does B's session.
      yield* migrate(b, Migrator.down({ steps: 8 }), settings)
      expect(yield* facts).toEqual([{ login: true, superuser: false, member: false, inherits_rights: false }])
      const stillThere = yield* Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ user: string }>`SELECT current_user AS user`),
        runtimeB
      )
      expect(stillThere).toEqual([{ user: role }])
    }))
})
