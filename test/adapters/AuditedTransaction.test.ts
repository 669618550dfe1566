/**
 * The audited transaction on a real PostgreSQL, as the runtime role: the
 * chain lock comes before the head read, COMMIT and ROLLBACK release it, a
 * pooled connection comes back clean, lock_timeout becomes ChainBusy with
 * nothing written, a failed audit write takes the business write with it,
 * and appends outside the unit of work (or under REPEATABLE READ) are
 * refused.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { NAMESPACE } from "@loan-ledger/adapters-pg/ChainLock"
import { DatabaseFailure } from "@loan-ledger/adapters-pg/DatabaseFailure"
import {
  AuditAppendRefused,
  IsolationLevelRefused,
  NestedTransactionRefused,
  TransactionAborted,
  TransactionRequired
} from "@loan-ledger/adapters-pg/TransactionErrors"
import { ApiKeyRecord } from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeyRepository } from "@loan-ledger/domain/ApiKeyRepository"
import { Applications } from "@loan-ledger/domain/Applications"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { AuditEventInput } from "@loan-ledger/domain/AuditEvent"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { ChainBusy, Conflict } from "@loan-ledger/domain/Errors"
import * as Ids from "@loan-ledger/domain/Ids"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import { Transaction, UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import { createRequest } from "../../packages/domain/test/support/Fixtures.js"
import { defectOf, eventually, failureOf, maintenanceEvent } from "./support/Helpers.js"
import {
  appSession,
  asOwner,
  databaseLayer,
  draftWithDocument,
  ownerSession,
  storeKey,
  TestDb,
  verifyChain,
  withUseCases
} from "./support/PgTestLayer.js"

const newChain = () => ChainKey.application(Ids.newApplicationId())

const eventCount = (chain: ChainKey.ChainKey) => {
  const id = ChainKey.applicationIdOf(chain)
  return Effect.map(
    id === null
      ? asOwner<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE application_id IS NULL")
      : asOwner<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE application_id = $1", [id]),
    (rows) => rows[0]!.n
  )
}

/** Waiting (not granted) requests for the chain's advisory lock, seen from any session. */
const waitersFor = (chain: ChainKey.ChainKey) =>
  Effect.map(
    asOwner<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted AND classid = $1::oid AND objid = hashtext($2)::oid AND objsubid = 2`,
      [NAMESPACE, ChainKey.toString(chain)]
    ),
    (rows) => rows[0]!.n
  )

/** A raw session that takes the chain's lock in an open transaction. */
const holdChainLock = (chain: ChainKey.ChainKey) =>
  Effect.gen(function*() {
    const session = yield* ownerSession
    yield* session.query("BEGIN")
    yield* session.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [NAMESPACE, ChainKey.toString(chain)])
    return session
  })

/** Appends one event to `chain` in a transaction of its own. */
const appendOne = (chain: ChainKey.ChainKey, metadata = {}) =>
  Effect.flatMap(AuditLog, (log) => UnitOfWork.pipe(
    Effect.flatMap((uow) => uow.transaction([chain], log.append(maintenanceEvent(chain, metadata))))
  ))

/** What the next transaction on the (single) pooled connection sees of its session. */
const sessionState = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.withTransaction(
    sql<{
      pid: number
      current_user: string
      role: string
      lock_timeout: string
      token: string
      advisory_locks: number
    }>`SELECT pg_backend_pid() AS pid, current_user, current_setting('role') AS role,
        current_setting('lock_timeout') AS lock_timeout,
        coalesce(current_setting('loan_ledger.transaction', true), '') AS token,
        (SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS advisory_locks`
  )).pipe(Effect.orDie, Effect.map((rows) => rows[0]!))

layer(databaseLayer, { timeout: "120 seconds", excludeTestServices: true })("the audited transaction", (it) => {
  describe("chain lock", () => {
    it.effect("takes the chain lock before it reads the chain head", () =>
      withUseCases(Effect.scoped(Effect.gen(function*() {
        const chain = newChain()
        const holder = yield* holdChainLock(chain)
        const appending = yield* Effect.fork(appendOne(chain, { by: "waiter" }))
        yield* eventually(waitersFor(chain), (n) => n === 1)

        // While the waiter waits, the lock holder extends the chain and commits.
        yield* holder.query(
          `INSERT INTO audit_events (application_id, event_type, actor_id, actor_type, metadata, prev_event_hash)
           VALUES ($1, 'maintenance', 'holder', 'operator', '{}', $2)`,
          [ChainKey.applicationIdOf(chain), AuditChain.GENESIS]
        )
        yield* holder.query("COMMIT")
        const appended = yield* Fiber.join(appending)

        // Had the head been read before the lock, the waiter would link to GENESIS: a fork.
        expect(appended.prevEventHash).not.toBe(AuditChain.GENESIS)
        const verification = yield* verifyChain(chain)
        expect(verification).toMatchObject({ _tag: "Intact", events: 2 })
      }))))

    it.effect("releases the lock at COMMIT: a waiting writer proceeds at once", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const chain = newChain()
        const locked = yield* Deferred.make<void>()
        const gate = yield* Deferred.make<void>()
        const first = yield* Effect.fork(uow.transaction(
          [chain],
          log.append(maintenanceEvent(chain, { n: 1 })).pipe(
            Effect.zipLeft(Deferred.succeed(locked, undefined)),
            Effect.zipLeft(Deferred.await(gate))
          )
        ).pipe(Effect.zipRight(Clock.currentTimeMillis)))
        yield* Deferred.await(locked)
        const second = yield* Effect.fork(
          uow.transaction([chain], log.append(maintenanceEvent(chain, { n: 2 }))).pipe(
            Effect.zipRight(Clock.currentTimeMillis)
          )
        )
        yield* eventually(waitersFor(chain), (n) => n === 1)
        yield* Deferred.succeed(gate, undefined)
        const firstDone = yield* Fiber.join(first)
        const secondDone = yield* Fiber.join(second)
        // The lock timeout is 10 s: finishing well inside it means the COMMIT released the lock.
        expect(secondDone - firstDone).toBeLessThan(1000)
        expect(yield* verifyChain(chain)).toMatchObject({ _tag: "Intact", events: 2 })
      })))

    it.effect("releases the lock at ROLLBACK when the operation fails after taking it", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const chain = newChain()
        const locked = yield* Deferred.make<void>()
        const gate = yield* Deferred.make<void>()
        const failing = yield* Effect.fork(
          uow.transaction(
            [chain],
            log.append(maintenanceEvent(chain, { n: "rolled back" })).pipe(
              Effect.zipRight(Deferred.succeed(locked, undefined)),
              Effect.zipRight(Deferred.await(gate)),
              Effect.zipRight(Effect.fail(new Conflict({ reason: "fails after taking the lock" })))
            )
          ).pipe(Effect.exit, Effect.zipLeft(Clock.currentTimeMillis))
        )
        yield* Deferred.await(locked)
        const waiter = yield* Effect.fork(
          uow.transaction([chain], log.append(maintenanceEvent(chain, { n: "kept" }))).pipe(
            Effect.zip(Clock.currentTimeMillis)
          )
        )
        yield* eventually(waitersFor(chain), (n) => n === 1)
        yield* Deferred.succeed(gate, undefined)
        const failed = yield* Fiber.join(failing)
        const failedAt = yield* Clock.currentTimeMillis
        expect(failureOf(failed)).toEqual(Option.some(new Conflict({ reason: "fails after taking the lock" })))
        const [kept, keptAt] = yield* Fiber.join(waiter)
        expect(keptAt - failedAt).toBeLessThan(1000)
        // The rolled-back event is gone, so the survivor starts the chain.
        expect(kept.prevEventHash).toBe(AuditChain.GENESIS)
        expect(yield* eventCount(chain)).toBe(1)
      })))
  })

  describe("a pool of one connection", () => {
    it.effect("hands the next transaction a clean connection: app_user, no role, no lock, no setting", () =>
      withUseCases(
        Effect.gen(function*() {
          const uow = yield* UnitOfWork
          const log = yield* AuditLog
          const keys = yield* ApiKeyRepository
          const db = yield* TestDb
          const chain = newChain()
          const before = yield* sessionState
          expect(before).toMatchObject({ current_user: db.appRole, role: "none", advisory_locks: 0, token: "" })
          const clean = { pid: before.pid, current_user: db.appRole, role: "none", lock_timeout: before.lock_timeout, token: "", advisory_locks: 0 }

          // Committed.
          yield* uow.transaction([chain], log.append(maintenanceEvent(chain)))
          expect(yield* sessionState).toEqual(clean)

          // Rolled back by the operation's own failure after its append.
          const failed = yield* uow.transaction(
            [chain],
            Effect.zipRight(log.append(maintenanceEvent(chain)), Effect.fail(new Conflict({ reason: "no" })))
          ).pipe(Effect.exit)
          expect(failureOf(failed)._tag).toBe("Some")
          expect(yield* sessionState).toEqual(clean)

          // Refused before anything was written: an event built past validation.
          const invalid = new AuditEventInput({ ...maintenanceEvent(chain), actorId: "x".repeat(201) }, { disableValidation: true })
          const refused = yield* uow.transaction([chain], log.append(invalid)).pipe(Effect.exit)
          expect(Option.getOrUndefined(defectOf(refused))).toBeInstanceOf(AuditAppendRefused)
          expect(yield* sessionState).toEqual(clean)

          // Rolled back with the role still switched: a trigger refuses the
          // INSERT itself, between SET LOCAL ROLE and RESET ROLE.
          const now = yield* Timestamp.now
          const record = ApiKeyRecord.make({
            id: Ids.newApiKeyId(),
            keyHash: "a".repeat(64) as ApiKeyRecord["keyHash"],
            role: "reviewer",
            description: null,
            expiresAt: Timestamp.addSeconds(now, 60),
            isActive: true,
            isSeed: false,
            createdAt: now
          })
          yield* rejectingAuditTrigger("refused-by-trigger", Effect.gen(function*() {
            const exit = yield* uow.transaction(
              [chain],
              Effect.zipRight(keys.insert(record), log.append(maintenanceEvent(chain, {}, "refused-by-trigger")))
            ).pipe(Effect.exit)
            expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(DatabaseFailure)
          }))
          expect(yield* sessionState).toEqual(clean)
          expect(yield* asOwner("SELECT 1 FROM api_keys WHERE id = $1", [record.id])).toHaveLength(0)
          expect(yield* eventCount(chain)).toBe(1)
        }),
        { maxConnections: 1 }
      ))
  })

  describe("lock_timeout", () => {
    it.effect("turns a chain lock not obtained in time into ChainBusy, with nothing written", () =>
      withUseCases(
        Effect.scoped(Effect.gen(function*() {
          const apps = yield* Applications
          const officer = (yield* storeKey("loan_officer")).actor
          const app = yield* draftWithDocument(officer)
          const chain = ChainKey.application(app.id)
          const eventsBefore = yield* eventCount(chain)

          yield* holdChainLock(chain)
          const started = yield* Clock.currentTimeMillis
          const exit = yield* apps.submit(officer, app.id).pipe(Effect.exit)
          const waited = (yield* Clock.currentTimeMillis) - started
          expect(failureOf(exit)).toEqual(Option.some(new ChainBusy({ chain: ChainKey.toString(chain) })))
          expect(waited).toBeGreaterThanOrEqual(250)
          expect(waited).toBeLessThan(5000)

          const [row] = yield* asOwner<{ status: string }>("SELECT status FROM loan_applications WHERE id = $1", [app.id])
          expect(row?.status).toBe("draft")
          expect(yield* eventCount(chain)).toBe(eventsBefore)
          expect(yield* asOwner("SELECT 1 FROM workflow.checkpoints WHERE application_id = $1", [app.id])).toHaveLength(0)
        })),
        { lockTimeoutMs: 300 }
      ))

    it.effect("turns a row lock not obtained in time into ChainBusy, with nothing written", () =>
      withUseCases(
        Effect.scoped(Effect.gen(function*() {
          const apps = yield* Applications
          const officer = (yield* storeKey("loan_officer")).actor
          const app = yield* draftWithDocument(officer)
          const chain = ChainKey.application(app.id)
          const eventsBefore = yield* eventCount(chain)

          // Another session holds the row, not the chain: the wait is on FOR UPDATE.
          const other = yield* appSession
          yield* other.query("BEGIN")
          yield* other.query("SELECT id FROM loan_applications WHERE id = $1 FOR UPDATE", [app.id])
          const exit = yield* apps.withdraw(officer, app.id).pipe(Effect.exit)
          expect(failureOf(exit)).toEqual(Option.some(new ChainBusy({ chain: ChainKey.toString(chain) })))
          yield* other.query("ROLLBACK")

          const [row] = yield* asOwner<{ status: string }>("SELECT status FROM loan_applications WHERE id = $1", [app.id])
          expect(row?.status).toBe("draft")
          expect(yield* eventCount(chain)).toBe(eventsBefore)
        })),
        { lockTimeoutMs: 300 }
      ))
  })

  describe("a failed audit write", () => {
    it.effect("leaves no trace of the business write when the event is invalid", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const keys = yield* ApiKeyRepository
        const now = yield* Timestamp.now
        const record = ApiKeyRecord.make({
          id: Ids.newApiKeyId(),
          keyHash: "b".repeat(64) as ApiKeyRecord["keyHash"],
          role: "loan_officer",
          description: "rolled back with its event",
          expiresAt: Timestamp.addSeconds(now, 60),
          isActive: true,
          isSeed: false,
          createdAt: now
        })
        // A float in metadata: the canonical encoding (and the hash) cannot hold it.
        const invalid = new AuditEventInput(
          { ...maintenanceEvent(ChainKey.system), metadata: { ratio: 0.5 } },
          { disableValidation: true }
        )
        const systemEvents = yield* eventCount(ChainKey.system)
        const exit = yield* uow.transaction([ChainKey.system], Effect.zipRight(keys.insert(record), log.append(invalid)))
          .pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(AuditAppendRefused)
        expect(yield* asOwner("SELECT 1 FROM api_keys WHERE id = $1", [record.id])).toHaveLength(0)
        expect(yield* eventCount(ChainKey.system)).toBe(systemEvents)
      })))

    it.effect("leaves no application behind when the database refuses its creation event", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const officer = yield* storeKey("loan_officer")
        const exit = yield* rejectingAuditTrigger(
          officer.record.id,
          apps.create(officer.actor, createRequest()).pipe(Effect.exit)
        )
        const failure = Option.getOrUndefined(defectOf(exit))
        expect(failure).toBeInstanceOf(DatabaseFailure)
        // The failure names what failed and never quotes the row.
        expect((failure as DatabaseFailure).message).not.toContain(officer.record.id)
        expect(
          yield* asOwner("SELECT 1 FROM loan_applications WHERE created_by = $1", [officer.record.id])
        ).toHaveLength(0)
      })))

    it.effect("refuses to report success when the operation swallowed a failed statement", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const keys = yield* ApiKeyRepository
        const officer = yield* storeKey("loan_officer")
        const now = yield* Timestamp.now
        const fresh = ApiKeyRecord.make({ ...officer.record, id: Ids.newApiKeyId(), keyHash: "c".repeat(64) as ApiKeyRecord["keyHash"], createdAt: now })
        const exit = yield* uow.transaction(
          [ChainKey.system],
          Effect.gen(function*() {
            yield* keys.insert(fresh)
            // The same key hash again: a unique violation, caught and ignored.
            yield* keys.insert(ApiKeyRecord.make({ ...fresh, id: Ids.newApiKeyId() })).pipe(Effect.catchAllDefect(() => Effect.void))
            return "looks fine"
          })
        ).pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(TransactionAborted)
        expect(yield* asOwner("SELECT 1 FROM api_keys WHERE id = $1", [fresh.id])).toHaveLength(0)
      })))
  })

  describe("appends outside the unit of work", () => {
    it.effect("refuses an append with a hand-made Transaction and no transaction open", () =>
      withUseCases(Effect.gen(function*() {
        const log = yield* AuditLog
        const chain = newChain()
        const exit = yield* log.append(maintenanceEvent(chain)).pipe(
          Effect.provideService(Transaction, Transaction.of({ chains: [chain] })),
          Effect.exit
        )
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(AuditAppendRefused)
        expect(yield* eventCount(chain)).toBe(0)
      })))

    it.effect("refuses an append in a SQL transaction the unit of work did not open", () =>
      withUseCases(Effect.gen(function*() {
        const log = yield* AuditLog
        const sql = yield* SqlClient.SqlClient
        const chain = newChain()
        const exit = yield* sql.withTransaction(
          log.append(maintenanceEvent(chain)).pipe(
            Effect.provideService(Transaction, Transaction.of({ chains: [chain] }))
          )
        ).pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(AuditAppendRefused)
        expect(yield* eventCount(chain)).toBe(0)
      })))

    it.effect("refuses an append to a chain the transaction did not lock, and rolls the operation back", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const locked = newChain()
        const other = newChain()
        const exit = yield* uow.transaction(
          [locked],
          Effect.zipRight(log.append(maintenanceEvent(locked)), log.append(maintenanceEvent(other)))
        ).pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(AuditAppendRefused)
        expect(yield* eventCount(locked)).toBe(0)
        expect(yield* eventCount(other)).toBe(0)
      })))

    it.effect("refuses a repository write with a hand-made Transaction", () =>
      withUseCases(Effect.gen(function*() {
        const keys = yield* ApiKeyRepository
        const officer = yield* storeKey("loan_officer")
        const exit = yield* keys.deactivate(officer.record.id).pipe(
          Effect.provideService(Transaction, Transaction.of({ chains: [ChainKey.system] })),
          Effect.exit
        )
        expect(Option.getOrUndefined(defectOf(exit))).toBeInstanceOf(TransactionRequired)
        const [row] = yield* asOwner<{ is_active: boolean }>("SELECT is_active FROM api_keys WHERE id = $1", [officer.record.id])
        expect(row?.is_active).toBe(true)
      })))

    it.effect("joins an enclosing unit of work that holds the chain, and refuses one that does not", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const sql = yield* SqlClient.SqlClient
        const a = newChain()
        const b = newChain()
        yield* uow.transaction([a], uow.transaction([a], log.append(maintenanceEvent(a))))
        expect(yield* eventCount(a)).toBe(1)

        const missing = yield* uow.transaction([a], uow.transaction([b], log.append(maintenanceEvent(b)))).pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(missing))).toBeInstanceOf(NestedTransactionRefused)

        const foreign = yield* sql.withTransaction(uow.transaction([b], log.append(maintenanceEvent(b)))).pipe(Effect.exit)
        expect(Option.getOrUndefined(defectOf(foreign))).toBeInstanceOf(NestedTransactionRefused)
        expect(yield* eventCount(b)).toBe(0)
      })))
  })

  describe("isolation", () => {
    for (const level of ["repeatable read", "serializable"]) {
      it.effect(`refuses to run at ${level}, writing nothing`, () =>
        withUseCases(
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const uow = yield* UnitOfWork
            const log = yield* AuditLog
            const chain = newChain()
            // Session-wide default on the pool's only connection, as a role or database setting would be.
            yield* sql.unsafe(`SET default_transaction_isolation = '${level}'`).pipe(Effect.orDie)
            const exit = yield* uow.transaction([chain], log.append(maintenanceEvent(chain))).pipe(Effect.exit)
            yield* sql`RESET default_transaction_isolation`.pipe(Effect.orDie)
            expect(Option.getOrUndefined(defectOf(exit))).toEqual(new IsolationLevelRefused({ isolation: level }))
            expect(yield* eventCount(chain)).toBe(0)
          }),
          { maxConnections: 1 }
        ))
    }
  })

  describe("the runtime role", () => {
    it.effect("cannot write audit_events except through SET ROLE audit_writer", () =>
      Effect.scoped(Effect.gen(function*() {
        const session = yield* appSession
        const attempt = (text: string) =>
          Effect.map(session.query(text).pipe(Effect.exit), (exit) =>
            Option.map(defectOf(exit), (e) => (e as { code?: string }).code))
        expect(yield* attempt(
          `INSERT INTO audit_events (event_type, actor_id, actor_type, prev_event_hash)
           VALUES ('maintenance', 'x', 'operator', repeat('0', 64))`
        )).toEqual(Option.some("42501"))
        expect(yield* attempt("UPDATE audit_events SET actor_id = 'x'")).toEqual(Option.some("42501"))
        expect(yield* attempt("DELETE FROM audit_events")).toEqual(Option.some("42501"))
        expect(yield* attempt("TRUNCATE audit_events")).toEqual(Option.some("42501"))
      })))
  })
})

/**
 * Runs `effect` while a trigger (installed by the owner) refuses every audit
 * event of `actorId`: an audit INSERT that fails inside the database, after
 * SET LOCAL ROLE audit_writer.
 */
const rejectingAuditTrigger = <A, E, R>(actorId: string, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.zipRight(
      asOwner(`CREATE OR REPLACE FUNCTION test_reject_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.actor_id = ${"'" + actorId.replace(/'/g, "''") + "'"} THEN
            RAISE EXCEPTION 'audit write refused for the test';
          END IF;
          RETURN NEW;
        END $$`),
      asOwner(`CREATE TRIGGER zz_test_reject_audit BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION test_reject_audit()`)
    ),
    () => effect,
    () => asOwner("DROP TRIGGER zz_test_reject_audit ON audit_events")
  )
