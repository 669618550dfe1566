/**
 * The migration runner: applies and undoes the plain-SQL migrations of
 * `migrations/` through the owner's `SqlClient` and records them in
 * `schema_migrations`.
 *
 * Every migration runs in a transaction of its own which first takes a
 * transaction-scoped advisory lock. So a migration that fails leaves nothing
 * behind (PostgreSQL's DDL is transactional, role DDL included), two runners
 * on one database apply each migration once, a killed runner leaves no lock
 * behind, and nothing outlives the transaction on the connection, which is
 * what PgBouncer's transaction mode requires. Each step re-reads the history
 * under the lock, so concurrent runners converge on the same target.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as DatabaseFailure from "./DatabaseFailure.js"
import {
  formatVersion,
  InvalidMigrationTarget,
  MigrationDirection,
  MigrationFailed,
  MigrationFilesError,
  MigrationHistoryMismatch,
  MigrationLockTimeout,
  ProductionDowngradeRefused
} from "./MigrationErrors.js"
import * as MigrationFiles from "./MigrationFiles.js"
import { MigrationSettings } from "./MigrationSettings.js"

/**
 * `pg_advisory_xact_lock(MIGRATION_LOCK_NAMESPACE, MIGRATION_LOCK_KEY)`. The
 * first key names the lock's owner ("LLMG", loan-ledger migrations, in ASCII)
 * so that it cannot meet the audit chain locks, which use another namespace
 * with a hash as second key. Advisory locks are per database.
 */
export const MIGRATION_LOCK_NAMESPACE = 0x4c4c4d47
export const MIGRATION_LOCK_KEY = 1

/** In production, this migration and every one before it cannot be undone. */
export const PRODUCTION_PROTECTED_THROUGH = 6

export class MigrationRef extends Schema.Class<MigrationRef>("MigrationRef")({
  version: Schema.Int,
  migration: Schema.String
}) {}

/** What one `up` or `down` did: the migrations it ran, in order, and the version it left. */
export class MigrationRun extends Schema.Class<MigrationRun>("MigrationRun")({
  direction: MigrationDirection,
  migrations: Schema.Array(MigrationRef),
  version: Schema.Int
}) {}

export const MigrationState = Schema.Literal("applied", "pending", "changed", "missing-file")
export type MigrationState = typeof MigrationState.Type

export class MigrationStatusEntry extends Schema.Class<MigrationStatusEntry>("MigrationStatusEntry")({
  version: Schema.Int,
  migration: Schema.String,
  /** `changed`: applied, but the up file differs now; `missing-file`: applied, no file. */
  state: MigrationState,
  appliedAt: Schema.NullOr(Schema.Date)
}) {}

export class MigrationStatus extends Schema.Class<MigrationStatus>("MigrationStatus")({
  /** The highest applied version, 0 for none. */
  version: Schema.Int,
  migrations: Schema.Array(MigrationStatusEntry)
}) {}

interface AppliedRow {
  readonly version: number
  readonly migration: string
  readonly checksum: string
  readonly applied_at: Date
}

/** One transaction's outcome: it ran a migration, or there was none left and the database is at `version`. */
type Step = { readonly _tag: "Ran"; readonly ref: MigrationRef } | { readonly _tag: "Done"; readonly version: number }
const ran = (file: MigrationFiles.MigrationFile): Step => ({
  _tag: "Ran",
  ref: new MigrationRef({ version: file.version, migration: file.migration })
})
const done = (version: number): Step => ({ _tag: "Done", version })

export type MigrateError =
  | MigrationFilesError
  | MigrationHistoryMismatch
  | InvalidMigrationTarget
  | MigrationLockTimeout
  | MigrationFailed
  | SqlError

const sqlStateOf = (error: SqlError): string | undefined => DatabaseFailure.fromError("migrate", error).code

const highestVersion = (applied: ReadonlyArray<AppliedRow>) => applied.at(-1)?.version ?? 0

/** Refuses a history that the files no longer describe (see MigrationHistoryMismatch). */
const verifyHistory = (
  files: ReadonlyArray<MigrationFiles.MigrationFile>,
  applied: ReadonlyArray<AppliedRow>
): Effect.Effect<void, MigrationHistoryMismatch> => {
  const byVersion = new Map(files.map((file) => [file.version, file]))
  for (const row of applied) {
    const file = byVersion.get(row.version)
    if (file === undefined) return new MigrationHistoryMismatch({ version: row.version, reason: "missing-file" })
    if (file.checksum !== row.checksum) return new MigrationHistoryMismatch({ version: row.version, reason: "changed" })
  }
  const appliedVersions = new Set(applied.map((row) => row.version))
  const skipped = files.find((file) => file.version < highestVersion(applied) && !appliedVersions.has(file.version))
  return skipped === undefined
    ? Effect.void
    : new MigrationHistoryMismatch({ version: skipped.version, reason: "out-of-order" })
}

export class Migrator extends Effect.Service<Migrator>()("@loan-ledger/adapters-pg/Migrator", {
  accessors: true,
  dependencies: [MigrationSettings.layer],
  effect: Effect.gen(function*() {
    // Our own queries must not depend on the caller's name transforms.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const settings = yield* MigrationSettings

    const loadFiles = MigrationFiles.load(settings.directory)

    const historyExists = sql<{ readonly exists: boolean }>`
      SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists
    `.pipe(Effect.map((rows) => rows[0]?.exists === true))

    const readHistory = sql<AppliedRow>`
      SELECT version, name AS migration, checksum, applied_at
      FROM public.schema_migrations ORDER BY version
    `

    /** Outside the lock and without creating anything: for status and planning. */
    const peekHistory = Effect.flatMap(
      historyExists,
      (exists): Effect.Effect<ReadonlyArray<AppliedRow>, SqlError> => exists ? readHistory : Effect.succeed([])
    )

    /**
     * One migration transaction: bounded lock waits, the migration lock, the
     * runtime role's name for the SQL, the history table. All of it is
     * transaction-local (SET LOCAL semantics), released by COMMIT or ROLLBACK.
     */
    const inMigrationTransaction = <A, E>(body: Effect.Effect<A, E>) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`
          SELECT set_config('lock_timeout', ${`${settings.lockTimeoutMs}ms`}, true),
                 set_config('search_path', 'public', true),
                 set_config('loan_ledger.app_role', ${settings.appRole}, true)
        `
        yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_NAMESPACE}, ${MIGRATION_LOCK_KEY})`.pipe(
          Effect.catchIf(
            (error) => sqlStateOf(error) === DatabaseFailure.LOCK_NOT_AVAILABLE,
            () => new MigrationLockTimeout({ lockTimeoutMs: settings.lockTimeoutMs })
          )
        )
        yield* sql`
          CREATE TABLE IF NOT EXISTS public.schema_migrations (
            version    integer     PRIMARY KEY CHECK (version > 0),
            name       text        NOT NULL,
            checksum   text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
            applied_at timestamptz NOT NULL DEFAULT now()
          )
        `
        return yield* body
      }))

    const runSql = (file: MigrationFiles.MigrationFile, direction: MigrationDirection) =>
      sql.unsafe(direction === "up" ? file.up : file.down).pipe(
        Effect.mapError((error) => {
          const sqlState = sqlStateOf(error)
          const reason = error.cause instanceof Error ? error.cause.message : error.message
          return new MigrationFailed({
            version: file.version,
            migration: file.migration,
            direction,
            reason,
            ...(sqlState === undefined ? {} : { sqlState })
          })
        })
      )

    /** Applies the oldest pending migration up to `target`, or reports that there is none. */
    const upStep = (files: ReadonlyArray<MigrationFiles.MigrationFile>, target: number) =>
      inMigrationTransaction(Effect.gen(function*() {
        const applied = yield* readHistory
        yield* verifyHistory(files, applied)
        const appliedVersions = new Set(applied.map((row) => row.version))
        const next = files.find((file) => file.version <= target && !appliedVersions.has(file.version))
        if (next === undefined) return done(highestVersion(applied))
        yield* runSql(next, "up")
        yield* sql`
          INSERT INTO public.schema_migrations (version, name, checksum)
          VALUES (${next.version}, ${next.migration}, ${next.checksum})
        `
        return ran(next)
      }))

    /** Undoes the newest applied migration above `target`, or reports that there is none. */
    const downStep = (files: ReadonlyArray<MigrationFiles.MigrationFile>, target: number) =>
      inMigrationTransaction(Effect.gen(function*() {
        const applied = yield* readHistory
        yield* verifyHistory(files, applied)
        const latest = highestVersion(applied)
        const file = files.find((candidate) => candidate.version === latest)
        if (latest <= target || file === undefined) return done(latest)
        yield* runSql(file, "down")
        yield* sql`DELETE FROM public.schema_migrations WHERE version = ${file.version}`
        return ran(file)
      }))

    const repeat = <E>(direction: MigrationDirection, step: Effect.Effect<Step, E>) =>
      Effect.gen(function*() {
        const migrations: Array<MigrationRef> = []
        for (;;) {
          const result = yield* step
          if (result._tag === "Done") return new MigrationRun({ direction, migrations, version: result.version })
          migrations.push(result.ref)
          yield* Effect.logInfo(`migrated ${direction}: ${result.ref.migration}`)
        }
      })

    /** Applies pending migrations in order, up to `to` (a version) or to the latest. */
    const up = (options: { readonly to?: number } = {}): Effect.Effect<MigrationRun, MigrateError> =>
      Effect.gen(function*() {
        const files = yield* loadFiles
        const target = options.to ?? files.at(-1)?.version ?? 0
        if (!files.some((file) => file.version === target)) {
          return yield* new InvalidMigrationTarget({ problem: `there is no migration ${formatVersion(target)} to migrate up to` })
        }
        return yield* repeat("up", upStep(files, target))
      })

    /**
     * Undoes the `steps` newest applied migrations (default 1). The target is
     * fixed before the first step, so two runners asked for the same thing at
     * once end where one of them alone would have.
     */
    const down = (
      options: { readonly steps?: number } = {}
    ): Effect.Effect<MigrationRun, MigrateError | ProductionDowngradeRefused> =>
      Effect.gen(function*() {
        const steps = options.steps ?? 1
        const files = yield* loadFiles
        const applied = yield* peekHistory
        yield* verifyHistory(files, applied)
        if (!Number.isInteger(steps) || steps < 1 || steps > applied.length) {
          return yield* new InvalidMigrationTarget({
            problem: `down needs a number of steps from 1 to ${applied.length} (the applied migrations), not ${steps}`
          })
        }
        const undone = applied.slice(applied.length - steps)
        const oldestUndone = undone[0]?.version ?? 0
        if (settings.environment === "production" && oldestUndone <= PRODUCTION_PROTECTED_THROUGH) {
          return yield* new ProductionDowngradeRefused({
            version: oldestUndone,
            protectedThrough: PRODUCTION_PROTECTED_THROUGH
          })
        }
        const target = applied[applied.length - steps - 1]?.version ?? 0
        return yield* repeat("down", downStep(files, target))
      })

    /** Every known migration with its state; never changes the database. */
    const status: Effect.Effect<MigrationStatus, MigrationFilesError | SqlError> = Effect.gen(function*() {
      const files = yield* loadFiles
      const applied = yield* peekHistory
      const byVersion = new Map(applied.map((row) => [row.version, row]))
      const fromFiles = files.map((file) => {
        const row = byVersion.get(file.version)
        return new MigrationStatusEntry({
          version: file.version,
          migration: file.migration,
          state: row === undefined ? "pending" : row.checksum === file.checksum ? "applied" : "changed",
          appliedAt: row?.applied_at ?? null
        })
      })
      const known = new Set(files.map((file) => file.version))
      const orphans = applied.filter((row) => !known.has(row.version)).map((row) =>
        new MigrationStatusEntry({
          version: row.version,
          migration: row.migration,
          state: "missing-file",
          appliedAt: row.applied_at
        })
      )
      return new MigrationStatus({
        version: highestVersion(applied),
        migrations: [...fromFiles, ...orphans].sort((a, b) => a.version - b.version)
      })
    })

    return { up, down, status } as const
  })
}) {}
