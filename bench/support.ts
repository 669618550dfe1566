/**
 * What both benchmarks share: the scratch database (an embedded PostgreSQL
 * with fsync on, or a scratch database in the cluster of
 * `BENCH_DATABASE_URL`), migrated, with a runtime role of its own; and the
 * plain-`pg` version of the audited creation transaction, the baseline both
 * scripts measure the real code against.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import pg from "pg"
import { NAMESPACE } from "../packages/adapters-pg/src/ChainLock.js"
import * as EmbeddedPostgres from "../packages/adapters-pg/src/EmbeddedPostgres.js"
import { MigrationSettings } from "../packages/adapters-pg/src/MigrationSettings.js"
import { Migrator } from "../packages/adapters-pg/src/Migrator.js"
import { EVENT_COLUMNS, RESET_ROLE_AND_READ_BACK } from "../packages/adapters-pg/src/PgAuditLog.js"
import * as AuditChain from "../packages/domain/src/AuditChain.js"
import * as AuditEvent from "../packages/domain/src/AuditEvent.js"
import * as ChainKey from "../packages/domain/src/ChainKey.js"
import type * as Ids from "../packages/domain/src/Ids.js"
import * as InterestRate from "../packages/domain/src/InterestRate.js"

/** Seconds of one measurement, clients per level, unmeasured warm-up seconds per side. */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? "5")
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? "3")
export const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,8,32").split(",").map(Number)

export const say = (line: string) => process.stdout.write(`${line}\n`)
export const pad = (text: string | number, width: number) => String(text).padStart(width)

// ---------------------------------------------------------------------------
// The database

export interface Cluster {
  /** Superuser URL of the scratch database. */
  readonly ownerUrl: string
  /** The runtime role's URL (not a superuser, not the owner of `audit_events`). */
  readonly appUrl: string
  /** The runtime role's name. */
  readonly appRole: string
  readonly describe: string
}

const withDatabase = (url: string, database: string, user?: { name: string; password: string }) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  if (user !== undefined) {
    parsed.username = encodeURIComponent(user.name)
    parsed.password = encodeURIComponent(user.password)
  }
  return parsed.toString()
}

export const ownerQuery = (url: string, text: string, values?: ReadonlyArray<unknown>) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(text, values as Array<unknown> | undefined)).rows
    } finally {
      await client.end()
    }
  })

/**
 * A fresh, migrated database with its runtime role able to log in; both
 * dropped with the scope. The role is not `app_user`: roles are
 * cluster-wide, and giving a shared role a new password would lock other
 * databases of the cluster out.
 */
const scratchDatabase = (superuserUrl: string, describe: string) =>
  Effect.gen(function*() {
    const suffix = `${process.pid}_${Crypto.randomBytes(3).toString("hex")}`
    const name = `loan_ledger_bench_${suffix}`
    const appRole = `loan_ledger_bench_${suffix}`
    const appPassword = Crypto.randomBytes(18).toString("base64url")
    yield* Effect.acquireRelease(
      ownerQuery(superuserUrl, `CREATE DATABASE ${name}`),
      () =>
        Effect.zipRight(
          ownerQuery(superuserUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          ownerQuery(superuserUrl, `DROP ROLE IF EXISTS ${appRole}`)
        )
    )
    const ownerUrl = withDatabase(superuserUrl, name)
    yield* Migrator.up({}).pipe(
      Effect.provide(
        Migrator.DefaultWithoutDependencies.pipe(
          Layer.provide(MigrationSettings.layerWith({ appRole })),
          Layer.provide(PgClient.layer({ url: Redacted.make(ownerUrl) }))
        )
      ),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
      Effect.orDie
    )
    yield* ownerQuery(ownerUrl, `ALTER ROLE ${appRole} WITH LOGIN PASSWORD '${appPassword}'`)
    return {
      ownerUrl,
      appUrl: withDatabase(superuserUrl, name, { name: appRole, password: appPassword }),
      appRole,
      describe
    } satisfies Cluster
  })

/** `BENCH_DATABASE_URL`'s cluster, else an embedded PostgreSQL (fsync on) removed with the scope. */
export const cluster = Effect.gen(function*() {
  const given = process.env.BENCH_DATABASE_URL
  if (given !== undefined && given !== "") return yield* scratchDatabase(given, "BENCH_DATABASE_URL")
  say("starting an embedded PostgreSQL (fsync on) for the run ...")
  const embedded = yield* EmbeddedPostgres.start({
    dataDir: EmbeddedPostgres.ephemeralDataDir("bench"),
    ephemeral: true,
    fast: false,
    maxConnections: 200,
    superuserPassword: Redacted.make(Crypto.randomBytes(18).toString("base64url"))
  }).pipe(Effect.orDie)
  return yield* scratchDatabase(Redacted.value(embedded.url("postgres")), `embedded PostgreSQL on port ${embedded.port}`)
})

// ---------------------------------------------------------------------------
// The baseline's audited creation: the statements of `Applications.create`
// through a plain pg.Pool, nothing else.

/** The columns of a new `loan_applications` row (a `LoanApplication` is one). */
export interface NewApplication {
  readonly id: Ids.ApplicationId
  readonly status: string
  readonly borrowerName: string
  readonly ssnEncrypted: Uint8Array
  readonly ssnLast4: string
  readonly accountNumbersEncrypted: Uint8Array | null
  readonly governmentIdEncrypted: Uint8Array | null
  readonly loanAmountCents: bigint
  readonly propertyValueCents: bigint
  readonly annualIncomeCents: bigint
  readonly monthlyDebtsCents: bigint
  readonly interestRate: InterestRate.InterestRate
  readonly loanTermMonths: number
  readonly propertyAddress: object
  readonly createdBy: string
  readonly createdAt: string
  readonly updatedAt: string
}

/**
 * One audited creation, what `Applications.create` does inside its
 * transaction: BEGIN; isolation check, SET LOCAL lock_timeout and the
 * transaction token; the chain's advisory lock; INSERT the application; the
 * lock check and the chain head; SET LOCAL ROLE audit_writer; INSERT the
 * event; RESET ROLE and read the event back (one round trip); COMMIT.
 * `event` goes to `chain` (the application's own chain in production).
 */
export const auditedCreate = async (
  pool: pg.Pool,
  app: NewApplication,
  chain: Ids.ApplicationId,
  event: AuditEvent.AuditEventInput,
  lockTimeoutMs: number
) => {
  const chainText = ChainKey.toString(ChainKey.application(chain))
  const token = Crypto.randomUUID()
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    const settings = await client.query(
      `SELECT current_setting('transaction_isolation') AS isolation, set_config('lock_timeout', $1, true) AS lock_timeout,
         set_config($2, $3, true) AS token`,
      [String(lockTimeoutMs), "loan_ledger.transaction", token]
    )
    if (settings.rows[0].isolation !== "read committed") throw new Error("not READ COMMITTED")
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [NAMESPACE, chainText])
    await client.query(
      `INSERT INTO loan_applications (id, status, borrower_name, ssn_encrypted, ssn_last4, account_numbers_encrypted,
         government_id_encrypted, loan_amount_cents, property_value_cents, annual_income_cents, monthly_debts_cents,
         interest_rate, loan_term_months, property_address, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::numeric, $13,
         $14::jsonb, $15, $16::timestamptz, $17::timestamptz)`,
      [app.id, app.status, app.borrowerName, app.ssnEncrypted, app.ssnLast4, app.accountNumbersEncrypted,
        app.governmentIdEncrypted, app.loanAmountCents.toString(), app.propertyValueCents.toString(),
        app.annualIncomeCents.toString(), app.monthlyDebtsCents.toString(),
        InterestRate.toNumeric(app.interestRate), app.loanTermMonths, JSON.stringify(app.propertyAddress),
        app.createdBy, app.createdAt, app.updatedAt]
    )
    const head = await client.query(
      `SELECT checks.in_transaction, checks.holds_lock, head.*
       FROM (SELECT coalesce(current_setting($1, true) = $2, false) AS in_transaction,
               EXISTS (SELECT FROM pg_catalog.pg_locks
                 WHERE locktype = 'advisory' AND granted AND pid = pg_catalog.pg_backend_pid()
                   AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
                   AND classid = $3::oid AND objid = hashtext($4)::oid AND objsubid = 2) AS holds_lock) AS checks
       LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS} FROM audit_events WHERE application_id = $5 ORDER BY audit_events.id DESC LIMIT 1
       ) AS head ON true`,
      ["loan_ledger.transaction", token, NAMESPACE, chainText, chain]
    )
    const row = head.rows[0]
    if (!row.in_transaction || !row.holds_lock) throw new Error("lock not held")
    const prev = row.id === null
      ? AuditChain.GENESIS
      : AuditChain.hash(Either.getOrThrow(AuditEvent.fromRow(row as AuditEvent.AuditEventRow)))
    const values = AuditEvent.toInsertRow(event, prev)
    await client.query("SET LOCAL ROLE audit_writer")
    await client.query(
      `INSERT INTO audit_events (application_id, event_type, actor_id, actor_type, actor_role, agent_name,
         confidence_score, reasoning, input_data_hash, previous_state, new_state, metadata, prev_event_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)`,
      [values.application_id, values.event_type, values.actor_id, values.actor_type, values.actor_role,
        values.agent_name, values.confidence_score, values.reasoning, values.input_data_hash, values.previous_state,
        values.new_state, values.metadata, values.prev_event_hash]
    )
    await client.query(RESET_ROLE_AND_READ_BACK)
    await client.query("COMMIT")
  } catch (cause) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw cause
  } finally {
    client.release()
  }
}
