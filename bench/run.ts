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
 * The database and the baseline's transaction are in bench/support.ts
 * (shared with bench/http.ts). The database: `BENCH_DATABASE_URL` (a superuser URL; a scratch database is
 * created and dropped in that cluster), else an embedded PostgreSQL started
 * for the run with durable settings (fsync on), removed afterwards.
 * `BENCH_SECONDS` (default 5) per measurement, `BENCH_CLIENTS` (default
 * "1,8,32"), `BENCH_WARMUP_SECONDS` (default 3) of unmeasured warm-up per side.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import pg from "pg"
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
import { auditedCreate, CLIENTS, cluster, ownerQuery, pad, say, SECONDS, WARMUP_SECONDS } from "./support.js"

const LOCK_TIMEOUT_MS = 30_000

type ChainMode = "one chain" | "many chains"

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

const baselineCreate = (pool: pg.Pool, mode: ChainMode, f: Fixture) => {
  const app = application(f, Timestamp.fromDate(new Date()))
  const chain = chainOf(mode, f, app)
  return auditedCreate(pool, app, chain, creationEvent(f, chain, app), LOCK_TIMEOUT_MS)
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
