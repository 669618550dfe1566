/**
 * `npm run bench`: audited application creations per second through the
 * PostgreSQL adapter, with 1, 8 and 32 concurrent clients, on one audit
 * chain and on many, next to a minimal baseline that sends the same SQL
 * through plain `pg` in the same run. Prints the ratio adapter / baseline.
 *
 * One operation is what `Applications.create` does inside its transaction:
 * BEGIN; isolation check, SET LOCAL lock_timeout and the transaction token;
 * the chain's advisory lock; INSERT the application; the lock check and the
 * chain head; SET LOCAL ROLE audit_writer; INSERT the event; RESET ROLE and
 * read the event back (one round trip); COMMIT. "Many chains": each event goes to the new
 * application's own chain (as in production). "One chain": every event goes
 * to one shared chain, so all clients queue on one lock; it measures the
 * ceiling of a single hot chain. Encryption happens before the transaction
 * in the use case and is left out of both sides (ciphertexts are made once).
 *
 * The database: `BENCH_DATABASE_URL` (a superuser URL; a scratch database is
 * created and dropped in that cluster), else an embedded PostgreSQL started
 * for the run with durable settings (fsync on), removed afterwards.
 * `BENCH_SECONDS` (default 5) per measurement, `BENCH_CLIENTS` (default
 * "1,8,32"), `BENCH_WARMUP_SECONDS` (default 3) of unmeasured warm-up per side.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import pg from "pg"
import { NAMESPACE } from "../packages/adapters-pg/src/ChainLock.js"
import * as EmbeddedPostgres from "../packages/adapters-pg/src/EmbeddedPostgres.js"
import { MigrationSettings } from "../packages/adapters-pg/src/MigrationSettings.js"
import { Migrator } from "../packages/adapters-pg/src/Migrator.js"
import { EVENT_COLUMNS, RESET_ROLE_AND_READ_BACK } from "../packages/adapters-pg/src/PgAuditLog.js"
import * as PgLayers from "../packages/adapters-pg/src/PgLayers.js"
import * as PgUnitOfWork from "../packages/adapters-pg/src/PgUnitOfWork.js"
import * as RuntimeSql from "../packages/adapters-pg/src/RuntimeSql.js"
import { ApplicationRepository } from "../packages/domain/src/ApplicationRepository.js"
import * as AuditChain from "../packages/domain/src/AuditChain.js"
import * as AuditEvent from "../packages/domain/src/AuditEvent.js"
import { AuditLog } from "../packages/domain/src/AuditLog.js"
import * as ChainKey from "../packages/domain/src/ChainKey.js"
import * as Fernet from "../packages/domain/src/Fernet.js"
import * as FernetKeyRing from "../packages/domain/src/FernetKeyRing.js"
import * as Ids from "../packages/domain/src/Ids.js"
import * as InterestRate from "../packages/domain/src/InterestRate.js"
import { LoanApplication } from "../packages/domain/src/LoanApplication.js"
import { type Ciphertext, PiiVault } from "../packages/domain/src/PiiVault.js"
import * as Timestamp from "../packages/domain/src/Timestamp.js"
import { UnitOfWork } from "../packages/domain/src/UnitOfWork.js"

const SECONDS = Number(process.env.BENCH_SECONDS ?? "5")
/** Unmeasured rounds first, so that neither side is timed while the JIT and the caches warm up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? "3")
const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,8,32").split(",").map(Number)
/**
 * The runtime role of the bench's own database. Not `app_user`: roles are
 * cluster-wide, and giving a shared role a new password would lock other
 * databases of the cluster out. Dropped with the database.
 */
const APP_ROLE = `loan_ledger_bench_${process.pid}`
const APP_PASSWORD = Crypto.randomBytes(18).toString("base64url")
const LOCK_TIMEOUT_MS = 30_000

type ChainMode = "one chain" | "many chains"

const say = (line: string) => process.stdout.write(`${line}\n`)

// ---------------------------------------------------------------------------
// The database

interface Cluster {
  /** Superuser URL of the scratch database. */
  readonly ownerUrl: string
  readonly appUrl: string
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

const ownerQuery = (url: string, text: string, values?: ReadonlyArray<unknown>) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(text, values as Array<unknown> | undefined)).rows
    } finally {
      await client.end()
    }
  })

/** A fresh, migrated database with the runtime role able to log in; dropped with the scope. */
const scratchDatabase = (superuserUrl: string, describe: string) =>
  Effect.gen(function*() {
    const name = `loan_ledger_bench_${process.pid}_${Crypto.randomBytes(3).toString("hex")}`
    yield* Effect.acquireRelease(
      ownerQuery(superuserUrl, `CREATE DATABASE ${name}`),
      () =>
        Effect.zipRight(
          ownerQuery(superuserUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          ownerQuery(superuserUrl, `DROP ROLE IF EXISTS ${APP_ROLE}`)
        )
    )
    const ownerUrl = withDatabase(superuserUrl, name)
    yield* Migrator.up({}).pipe(
      Effect.provide(
        Migrator.DefaultWithoutDependencies.pipe(
          Layer.provide(MigrationSettings.layerWith({ appRole: APP_ROLE })),
          Layer.provide(PgClient.layer({ url: Redacted.make(ownerUrl) }))
        )
      ),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
      Effect.orDie
    )
    yield* ownerQuery(ownerUrl, `ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${APP_PASSWORD}'`)
    return {
      ownerUrl,
      appUrl: withDatabase(superuserUrl, name, { name: APP_ROLE, password: APP_PASSWORD }),
      describe
    } satisfies Cluster
  })

const cluster = Effect.gen(function*() {
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
// What both sides write

interface Fixture {
  readonly keyId: Ids.ApiKeyId
  /** The shared chain of the "one chain" runs. */
  readonly hotChain: Ids.ApplicationId
  readonly ssn: Ciphertext
  readonly accounts: Ciphertext
  readonly governmentId: Ciphertext
}

const fixture = (ownerUrl: string) =>
  Effect.gen(function*() {
    const keyId = Ids.newApiKeyId()
    yield* ownerQuery(
      ownerUrl,
      `INSERT INTO api_keys (id, key_hash, role, description, expires_at)
       VALUES ($1, $2, 'loan_officer', 'benchmark', now() + interval '1 day')`,
      [keyId, Crypto.randomBytes(32).toString("hex")]
    )
    const vault = yield* Effect.provide(
      PiiVault,
      FernetKeyRing.layer({ current: { id: 1, key: Fernet.generateKey() }, previous: Option.none() })
    )
    const encrypt = (text: string) => vault.encrypt(Redacted.make(new TextEncoder().encode(text)))
    return {
      keyId,
      hotChain: Ids.newApplicationId(),
      ssn: yield* encrypt("900-12-3456"),
      accounts: yield* encrypt(JSON.stringify(["DE89370400440532013000"])),
      governmentId: yield* encrypt("X1234567")
    } satisfies Fixture
  })

const application = (f: Fixture, now: Timestamp.Timestamp) =>
  LoanApplication.make({
    id: Ids.newApplicationId(),
    borrowerName: "Bench Borrower",
    ssnEncrypted: f.ssn,
    ssnLast4: "3456" as LoanApplication["ssnLast4"],
    loanAmountCents: 25_000_000n as LoanApplication["loanAmountCents"],
    annualIncomeCents: 9_800_050n as LoanApplication["annualIncomeCents"],
    monthlyDebtsCents: 125_000n as LoanApplication["monthlyDebtsCents"],
    propertyValueCents: 40_000_000n as LoanApplication["propertyValueCents"],
    loanTermMonths: 360,
    interestRate: "6.875" as InterestRate.InterestRate,
    propertyAddress: { street: "1 Bench Way", city: "Springfield", state: "IL", zip: "62701" },
    accountNumbersEncrypted: f.accounts,
    governmentIdEncrypted: f.governmentId,
    status: "draft",
    createdBy: f.keyId,
    createdAt: now,
    updatedAt: now
  })

const chainOf = (mode: ChainMode, f: Fixture, app: LoanApplication): Ids.ApplicationId =>
  mode === "one chain" ? f.hotChain : app.id

const creationEvent = (f: Fixture, chain: Ids.ApplicationId, app: LoanApplication) =>
  AuditEvent.makeInput({
    applicationId: chain,
    eventType: "state_transition",
    actorId: f.keyId,
    actorType: "api_key",
    actorRole: "loan_officer",
    newState: "draft",
    metadata: chain === app.id ? {} : { application_id: app.id }
  })

// ---------------------------------------------------------------------------
// The adapter

const adapterCreate = (mode: ChainMode, f: Fixture) =>
  Effect.gen(function*() {
    const uow = yield* UnitOfWork
    const repo = yield* ApplicationRepository
    const log = yield* AuditLog
    const app = application(f, yield* Timestamp.now)
    const chain = chainOf(mode, f, app)
    yield* uow.transaction(
      [ChainKey.application(chain)],
      Effect.zipRight(repo.insert(app), log.append(creationEvent(f, chain, app)))
    )
  })

const adapterLayer = (appUrl: string, clients: number) =>
  Layer.merge(PgLayers.portsWithoutUnitOfWork, PgUnitOfWork.layerWith({ lockTimeoutMs: LOCK_TIMEOUT_MS })).pipe(
    Layer.provideMerge(
      RuntimeSql.layerFrom({ url: Redacted.make(appUrl), maxConnections: clients, applicationName: "loan-ledger-bench" })
    ),
    Layer.orDie
  )

interface Measurement {
  readonly perSecond: number
  /** CPU time of this process (user + system) per operation: the client side's own cost. */
  readonly cpuMsPerOp: number
}

/** Times `run`, which reports how many operations it completed. */
const measured = <E, R>(run: Effect.Effect<number, E, R>): Effect.Effect<Measurement, E, R> =>
  Effect.gen(function*() {
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    const done = yield* run
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    return { perSecond: done / seconds, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / Math.max(done, 1) }
  })

/** `clients` loops creating through the adapter for `seconds`, on a pool of `clients` connections. */
const runAdapter = (appUrl: string, mode: ChainMode, clients: number, f: Fixture, seconds = SECONDS) =>
  Effect.gen(function*() {
    const loop = (deadline: number) =>
      Effect.gen(function*() {
        let done = 0
        while ((yield* Clock.currentTimeMillis) < deadline) {
          yield* adapterCreate(mode, f)
          done++
        }
        return done
      })
    return yield* measured(Effect.gen(function*() {
      const deadline = (yield* Clock.currentTimeMillis) + seconds * 1000
      const counts = yield* Effect.all(Array.from({ length: clients }, () => loop(deadline)), { concurrency: "unbounded" })
      return counts.reduce((a, b) => a + b, 0)
    }))
  }).pipe(Effect.provide(adapterLayer(appUrl, clients)))

// ---------------------------------------------------------------------------
// The baseline: the same statements through a plain pg.Pool, nothing else.

const baselineCreate = async (pool: pg.Pool, mode: ChainMode, f: Fixture) => {
  const app = application(f, Timestamp.fromDate(new Date()))
  const chain = chainOf(mode, f, app)
  const chainText = ChainKey.toString(ChainKey.application(chain))
  const token = Crypto.randomUUID()
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    const settings = await client.query(
      `SELECT current_setting('transaction_isolation') AS isolation, set_config('lock_timeout', $1, true) AS lock_timeout,
         set_config($2, $3, true) AS token`,
      [String(LOCK_TIMEOUT_MS), "loan_ledger.transaction", token]
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
    const values = AuditEvent.toInsertRow(creationEvent(f, chain, app), prev)
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

const runBaseline = (appUrl: string, mode: ChainMode, clients: number, f: Fixture, seconds = SECONDS) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      new pg.Pool({ connectionString: appUrl, max: clients, application_name: "loan-ledger-bench-baseline" })
    ),
    (pool) =>
      measured(Effect.promise(async () => {
        const deadline = Date.now() + seconds * 1000
        const counts = await Promise.all(Array.from({ length: clients }, async () => {
          let done = 0
          while (Date.now() < deadline) {
            await baselineCreate(pool, mode, f)
            done++
          }
          return done
        }))
        return counts.reduce((a, b) => a + b, 0)
      })),
    (pool) => Effect.promise(() => pool.end())
  )

// ---------------------------------------------------------------------------

const verifyHotChain = (appUrl: string, f: Fixture) =>
  Effect.flatMap(AuditLog, (log) =>
    AuditChain.verifyRows(ChainKey.application(f.hotChain), log.readChain(ChainKey.application(f.hotChain)))).pipe(
      Effect.provide(adapterLayer(appUrl, 1))
    )

const pad = (text: string | number, width: number) => String(text).padStart(width)

const main = Effect.gen(function*() {
  const db = yield* cluster
  const f = yield* fixture(db.ownerUrl)
  say(`database: ${db.describe}; ${SECONDS} s per measurement; node ${process.version}`)
  if (WARMUP_SECONDS > 0) {
    say(`warming up (${WARMUP_SECONDS} s each side, unmeasured) ...`)
    yield* runAdapter(db.appUrl, "many chains", 4, f, WARMUP_SECONDS)
    yield* runBaseline(db.appUrl, "many chains", 4, f, WARMUP_SECONDS)
  }
  say("")
  say(
    `${"chains".padEnd(12)} ${pad("clients", 7)} ${pad("adapter/s", 10)} ${pad("pg/s", 10)} ${pad("ratio", 6)}   ${
      pad("cpu ms/op adapter", 17)
    } ${pad("pg", 6)}`
  )
  let round = 0
  for (const mode of ["many chains", "one chain"] as const) {
    for (const clients of CLIENTS) {
      // Alternate which side goes first, so neither always meets the warmer cache or the bigger table.
      const adapterFirst = round++ % 2 === 0
      const first = adapterFirst ? runAdapter(db.appUrl, mode, clients, f) : runBaseline(db.appUrl, mode, clients, f)
      const second = adapterFirst ? runBaseline(db.appUrl, mode, clients, f) : runAdapter(db.appUrl, mode, clients, f)
      const a = yield* first
      const b = yield* second
      const [adapter, baseline] = adapterFirst ? [a, b] : [b, a]
      say(
        `${mode.padEnd(12)} ${pad(clients, 7)} ${pad(adapter.perSecond.toFixed(0), 10)} ${
          pad(baseline.perSecond.toFixed(0), 10)
        } ${pad((adapter.perSecond / baseline.perSecond).toFixed(2), 6)}   ${pad(adapter.cpuMsPerOp.toFixed(2), 17)} ${
          pad(baseline.cpuMsPerOp.toFixed(2), 6)
        }`
      )
    }
  }
  const hot = yield* verifyHotChain(db.appUrl, f)
  say("")
  say(
    hot._tag === "Intact"
      ? `the shared chain verifies: ${hot.events} events written by both sides, no fork`
      : `THE SHARED CHAIN IS BROKEN at event ${hot.break.eventId}: ${hot.break.detail}`
  )
  if (hot._tag !== "Intact") return yield* Effect.dieMessage("broken chain")
})

Effect.runPromise(Effect.scoped(main)).then(
  () => process.exit(0),
  (cause) => {
    process.stderr.write(`bench failed: ${String(cause)}\n`)
    process.exit(1)
  }
)
