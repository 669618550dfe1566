/**
 * The Migrator on a real PostgreSQL: ordering, history, no-op re-runs, exact
 * down paths (catalog snapshots), atomic failure, the production rule and
 * concurrent runners.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import pg from "pg"
import { type MigrationSettingsShape, defaultDirectory } from "../src/MigrationSettings.js"
import { MIGRATION_LOCK_KEY, MIGRATION_LOCK_NAMESPACE, Migrator } from "../src/Migrator.js"
import { catalogSnapshot } from "../../../test/support/catalog.js"
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js"
import { migratorLayer } from "../../../test/support/migrator.js"

const LATEST = 8

/** A fresh, empty database of the test cluster, dropped when the test's scope closes. */
const emptyDatabase = Effect.acquireRelease(
  Effect.promise(() => createTestDatabase({ migrated: false })),
  (db) => Effect.promise(() => db.drop())
)

const migratorFor = (db: TestDatabase, settings: Partial<MigrationSettingsShape> = {}) =>
  migratorLayer(db.adminUrl, { appRole: db.appRole, ...settings })

/** Runs `effect` with a Migrator (and its SqlClient) of its own on `db`. */
const withMigrator = <A, E>(
  db: TestDatabase,
  effect: Effect.Effect<A, E, Migrator | SqlClient.SqlClient>,
  settings: Partial<MigrationSettingsShape> = {}
) => Effect.provide(effect, migratorFor(db, settings))

const snapshot = (db: TestDatabase) => Effect.promise(() => catalogSnapshot(db.adminUrl, [db.appRole, "audit_writer"]))

const history = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ version: number; name: string; applied_at: Date }>`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`
)

/** A migrations folder with copies of the first `count` real migrations, plus `extra` files. */
const migrationsFolder = (count: number, extra: Record<string, string> = {}) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const directory = await Fs.mkdtemp(Path.join(Os.tmpdir(), "loan-ledger-migrations-"))
      for (const file of await Fs.readdir(defaultDirectory)) {
        if (Number(file.slice(0, 3)) <= count) await Fs.copyFile(Path.join(defaultDirectory, file), Path.join(directory, file))
      }
      for (const [file, text] of Object.entries(extra)) await Fs.writeFile(Path.join(directory, file), text)
      return directory
    }),
    (directory) => Effect.promise(() => Fs.rm(directory, { recursive: true, force: true }))
  )

describe("Migrator", () => {
  it.scopedLive("lists every migration as pending on an empty database, without creating anything", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const before = yield* snapshot(db)
      const status = yield* withMigrator(db, Migrator.status)
      expect(status.version).toBe(0)
      expect(status.migrations.map((m) => [m.version, m.migration, m.state])).toEqual([
        [1, "001_extensions", "pending"],
        [2, "002_api_keys", "pending"],
        [3, "003_loan_applications", "pending"],
        [4, "004_documents", "pending"],
        [5, "005_audit_events", "pending"],
        [6, "006_audit_immutability", "pending"],
        [7, "007_confidence_thresholds", "pending"],
        [8, "008_workflow", "pending"]
      ])
      expect(yield* snapshot(db)).toEqual(before)
    }))

  it.scopedLive("applies every migration once, in order; up on an up-to-date database is a no-op", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      yield* withMigrator(db, Effect.gen(function*() {
        const first = yield* Migrator.up()
        expect(first.direction).toBe("up")
        expect(first.migrations.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
        expect(first.version).toBe(LATEST)
        const applied = yield* history
        expect(applied.map((row) => row.name)).toEqual(first.migrations.map((m) => m.migration))
        const catalog = yield* snapshot(db)

        const second = yield* Migrator.up()
        expect(second.migrations).toEqual([])
        expect(second.version).toBe(LATEST)
        expect(yield* history).toEqual(applied)
        expect(yield* snapshot(db)).toEqual(catalog)
        const status = yield* Migrator.status
        expect(status.migrations.every((m) => m.state === "applied")).toBe(true)
      }))
    }))

  it.scopedLive("goes up to a given version and down a given number of steps, newest first", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      yield* withMigrator(db, Effect.gen(function*() {
        expect((yield* Migrator.up({ to: 3 })).migrations.map((m) => m.version)).toEqual([1, 2, 3])
        expect((yield* Migrator.status).version).toBe(3)
        expect((yield* Migrator.up({ to: 5 })).migrations.map((m) => m.version)).toEqual([4, 5])
        const twoDown = yield* Migrator.down({ steps: 2 })
        expect(twoDown.migrations.map((m) => m.version)).toEqual([5, 4])
        expect(twoDown.version).toBe(3)
        const oneDown = yield* Migrator.down()
        expect(oneDown.migrations.map((m) => m.version)).toEqual([3])
        expect((yield* history).map((row) => row.version)).toEqual([1, 2])
        // Already beyond the target: nothing to do.
        expect((yield* Migrator.up({ to: 1 })).migrations).toEqual([])
      }))
    }))

  it.scopedLive("undoes every migration to the exact catalog it found, and redoes it to the same catalog", () =>
    Effect.gen(function*() {
      // A migrated neighbour keeps using the cluster-wide audit_writer, as the
      // template and the parallel test databases do; otherwise 006's down path
      // would rightly drop a role no database uses any more (that path is
      // covered by migrations-private-cluster.test.ts).
      const neighbour = yield* emptyDatabase
      yield* withMigrator(neighbour, Migrator.up())
      const db = yield* emptyDatabase
      yield* withMigrator(db, Effect.gen(function*() {
        // The runner creates schema_migrations on its first run; it belongs to no migration.
        yield* Migrator.up({ to: 1 })
        yield* Migrator.down({ steps: 1 })
        for (let version = 1; version <= LATEST; version++) {
          const before = yield* snapshot(db)
          yield* Migrator.up({ to: version })
          const after = yield* snapshot(db)
          // The snapshot sees every migration's work (001's only role already exists here).
          if (version > 1) expect(after, `migration ${version} changes the catalog`).not.toEqual(before)
          const undone = yield* Migrator.down({ steps: 1 })
          expect(undone.migrations.map((m) => m.version)).toEqual([version])
          expect(yield* snapshot(db), `catalog after undoing migration ${version}`).toEqual(before)
          yield* Migrator.up({ to: version })
          expect(yield* snapshot(db), `catalog after redoing migration ${version}`).toEqual(after)
        }
        const latest = yield* snapshot(db)
        yield* Migrator.down({ steps: LATEST })
        yield* Migrator.up()
        expect(yield* snapshot(db)).toEqual(latest)
      }))
    }))

  it.scopedLive("leaves the database exactly as it was when an up migration fails half-way", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const strayRole = `ll_test_partial_${process.pid}_${Date.now()}`
      const directory = yield* migrationsFolder(3, {
        "004_broken.up.sql": `
          CREATE TABLE partial (x integer);
          DO $$ BEGIN EXECUTE format('GRANT SELECT ON partial TO %I', current_setting('loan_ledger.app_role')); END $$;
          CREATE ROLE ${strayRole} NOLOGIN;
          ALTER TABLE api_keys ADD COLUMN oops integer;
          INSERT INTO api_keys (key_hash, role, expires_at) VALUES (repeat('a', 64), 'reviewer', now());
          SELECT 1 / 0;
        `,
        "004_broken.down.sql": "DROP TABLE partial;"
      })
      const roles = [db.appRole, "audit_writer", strayRole]
      yield* withMigrator(db, Effect.gen(function*() {
        yield* Migrator.up({ to: 3 })
        const catalog = yield* Effect.promise(() => catalogSnapshot(db.adminUrl, roles))
        const applied = yield* history

        const error = yield* Effect.flip(Migrator.up())
        expect(error).toMatchObject({
          _tag: "MigrationFailed",
          version: 4,
          migration: "004_broken",
          direction: "up",
          sqlState: "22012"
        })
        expect(yield* Effect.promise(() => catalogSnapshot(db.adminUrl, roles))).toEqual(catalog)
        expect(yield* history).toEqual(applied)
        const sql = yield* SqlClient.SqlClient
        expect(yield* sql`SELECT count(*)::int AS n FROM api_keys`).toEqual([{ n: 0 }])
        expect(yield* sql`SELECT 1 FROM pg_roles WHERE rolname = ${strayRole}`).toEqual([])
      }), { directory })
    }))

  it.scopedLive("leaves the database exactly as it was when a down migration fails half-way", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const directory = yield* migrationsFolder(2, {
        "003_sticky.up.sql": "CREATE TABLE sticky (x integer); INSERT INTO sticky VALUES (1);",
        "003_sticky.down.sql": "DROP TABLE sticky; DROP TABLE api_keys; SELECT 1 / 0;"
      })
      yield* withMigrator(db, Effect.gen(function*() {
        yield* Migrator.up()
        const catalog = yield* snapshot(db)
        const applied = yield* history
        const error = yield* Effect.flip(Migrator.down())
        expect(error).toMatchObject({ _tag: "MigrationFailed", version: 3, direction: "down", sqlState: "22012" })
        expect(yield* snapshot(db)).toEqual(catalog)
        expect(yield* history).toEqual(applied)
      }), { directory })
    }))

  it.scopedLive("refuses in production to undo 006 or anything before it, before running anything", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const production = { environment: "production" } as const
      yield* withMigrator(db, Migrator.up())
      const catalog = yield* snapshot(db)

      const refused = yield* withMigrator(db, Effect.flip(Migrator.down({ steps: 3 })), production)
      expect(refused).toMatchObject({ _tag: "ProductionDowngradeRefused", version: 6, protectedThrough: 6 })
      expect(yield* snapshot(db)).toEqual(catalog)

      const allowed = yield* withMigrator(db, Migrator.down({ steps: 2 }), production)
      expect(allowed.migrations.map((m) => m.version)).toEqual([8, 7])
      const refusedAgain = yield* withMigrator(db, Effect.flip(Migrator.down()), production)
      expect(refusedAgain).toMatchObject({ _tag: "ProductionDowngradeRefused", version: 6 })
      expect((yield* withMigrator(db, Migrator.status)).version).toBe(6)

      // Outside production the same request is carried out.
      const development = yield* withMigrator(db, Migrator.down({ steps: 6 }))
      expect(development.version).toBe(0)
    }))

  it.scopedLive("lets several runners migrate one database at once, each migration applied exactly once", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const runs = yield* Effect.all([
        withMigrator(db, Migrator.up()),
        withMigrator(db, Migrator.up()),
        withMigrator(db, Migrator.up())
      ], { concurrency: "unbounded" })
      expect(runs.flatMap((run) => run.migrations.map((m) => m.version)).sort((a, b) => a - b))
        .toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      expect(runs.map((run) => run.version)).toEqual([LATEST, LATEST, LATEST])
      const applied = yield* withMigrator(db, history)
      expect(applied.map((row) => row.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    }))

  it.scopedLive("waits for the migration lock at most LOCK_TIMEOUT_MS, then fails without changes", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const holder = yield* Effect.acquireRelease(
        Effect.promise(async () => {
          const client = new pg.Client({ connectionString: db.adminUrl })
          await client.connect()
          await client.query("BEGIN")
          await client.query("SELECT pg_advisory_xact_lock($1, $2)", [MIGRATION_LOCK_NAMESPACE, MIGRATION_LOCK_KEY])
          return client
        }),
        (client) => Effect.promise(() => client.end())
      )
      const started = Date.now()
      const error = yield* withMigrator(db, Effect.flip(Migrator.up()), { lockTimeoutMs: 300 })
      expect(error).toMatchObject({ _tag: "MigrationLockTimeout", lockTimeoutMs: 300 })
      expect(Date.now() - started).toBeLessThan(10_000)
      expect((yield* withMigrator(db, Migrator.status)).version).toBe(0)

      // The lock is transaction-scoped: the holder's ROLLBACK releases it.
      yield* Effect.promise(() => holder.query("ROLLBACK"))
      expect((yield* withMigrator(db, Migrator.up(), { lockTimeoutMs: 300 })).version).toBe(LATEST)
    }))

  it.scopedLive("refuses to run when the history no longer matches the files", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const directory = yield* migrationsFolder(0, {
        "001_a.up.sql": "CREATE TABLE a (x integer);",
        "001_a.down.sql": "DROP TABLE a;",
        "003_c.up.sql": "CREATE TABLE c (x integer);",
        "003_c.down.sql": "DROP TABLE c;"
      })
      yield* withMigrator(db, Effect.gen(function*() {
        yield* Migrator.up()

        // A migration older than an applied one appears.
        yield* Effect.promise(() => Fs.writeFile(Path.join(directory, "002_b.up.sql"), "CREATE TABLE b (x integer);"))
        yield* Effect.promise(() => Fs.writeFile(Path.join(directory, "002_b.down.sql"), "DROP TABLE b;"))
        expect(yield* Effect.flip(Migrator.up())).toMatchObject({ _tag: "MigrationHistoryMismatch", version: 2, reason: "out-of-order" })
        yield* Effect.promise(() => Fs.rm(Path.join(directory, "002_b.up.sql")))
        yield* Effect.promise(() => Fs.rm(Path.join(directory, "002_b.down.sql")))

        // An applied migration is edited.
        yield* Effect.promise(() => Fs.appendFile(Path.join(directory, "003_c.up.sql"), "\nCREATE INDEX ON c (x);"))
        expect(yield* Effect.flip(Migrator.up())).toMatchObject({ _tag: "MigrationHistoryMismatch", version: 3, reason: "changed" })
        expect(yield* Effect.flip(Migrator.down())).toMatchObject({ _tag: "MigrationHistoryMismatch", version: 3, reason: "changed" })
        expect((yield* Migrator.status).migrations.map((m) => m.state)).toEqual(["applied", "changed"])

        // An applied migration's files disappear.
        yield* Effect.promise(() => Fs.rm(Path.join(directory, "003_c.up.sql")))
        yield* Effect.promise(() => Fs.rm(Path.join(directory, "003_c.down.sql")))
        expect(yield* Effect.flip(Migrator.up())).toMatchObject({ _tag: "MigrationHistoryMismatch", version: 3, reason: "missing-file" })
        expect((yield* Migrator.status).migrations.map((m) => [m.migration, m.state])).toEqual([
          ["001_a", "applied"],
          ["003_c", "missing-file"]
        ])
      }), { directory })
    }))

  it.scopedLive("rejects targets that do not exist and step counts it cannot take", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      yield* withMigrator(db, Effect.gen(function*() {
        expect(yield* Effect.flip(Migrator.up({ to: 42 }))).toMatchObject({ _tag: "InvalidMigrationTarget" })
        expect(yield* Effect.flip(Migrator.down())).toMatchObject({ _tag: "InvalidMigrationTarget" })
        yield* Migrator.up({ to: 2 })
        expect(yield* Effect.flip(Migrator.down({ steps: 3 }))).toMatchObject({ _tag: "InvalidMigrationTarget" })
        expect(yield* Effect.flip(Migrator.down({ steps: 0 }))).toMatchObject({ _tag: "InvalidMigrationTarget" })
        expect(yield* Effect.flip(Migrator.down({ steps: 1.5 }))).toMatchObject({ _tag: "InvalidMigrationTarget" })
        expect((yield* Migrator.status).version).toBe(2)
      }))
    }))

  it.scopedLive("rejects a migrations folder whose files do not form valid pairs", () =>
    Effect.gen(function*() {
      const db = yield* emptyDatabase
      const unpaired = yield* migrationsFolder(0, { "001_a.up.sql": "SELECT 1;" })
      const misnamed = yield* migrationsFolder(0, { "001_a.up.sql": "SELECT 1;", "001_a.down.sql": "", "2_b.up.sql": "" })
      const clashing = yield* migrationsFolder(0, {
        "001_a.up.sql": "",
        "001_a.down.sql": "",
        "001_b.up.sql": "",
        "001_b.down.sql": ""
      })
      for (const directory of [unpaired, misnamed, clashing, Path.join(unpaired, "missing")]) {
        const error = yield* withMigrator(db, Effect.flip(Migrator.up()), { directory })
        expect(error).toMatchObject({ _tag: "MigrationFilesError", directory })
      }
      expect((yield* withMigrator(db, Migrator.status)).version).toBe(0)
    }))
})
