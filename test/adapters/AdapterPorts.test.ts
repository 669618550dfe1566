/**
 * The adapter's own ports and guarantees on PostgreSQL: database health and
 * the runtime-role report the production start-up check relies on, the
 * confidence thresholds, the audit log's readers (chains, the batched chain
 * stream, query validation) and database errors that never quote a value.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { ConfidenceThresholds } from "@loan-ledger/adapters-pg/ConfidenceThresholds"
import { DatabaseFailure } from "@loan-ledger/adapters-pg/DatabaseFailure"
import * as DatabaseHealth from "@loan-ledger/adapters-pg/DatabaseHealth"
import { CHAIN_BATCH_SIZE } from "@loan-ledger/adapters-pg/PgAuditLog"
import * as RuntimeSql from "@loan-ledger/adapters-pg/RuntimeSql"
import { ApplicationRepository } from "@loan-ledger/domain/ApplicationRepository"
import { Applications } from "@loan-ledger/domain/Applications"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import type { ConfidenceScore } from "@loan-ledger/domain/ConfidenceScore"
import { ValidationError } from "@loan-ledger/domain/Errors"
import * as Ids from "@loan-ledger/domain/Ids"
import { LoanApplication } from "@loan-ledger/domain/LoanApplication"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import { UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import { createRequest } from "../../packages/domain/test/support/Fixtures.js"
import { defectOf, maintenanceEvent } from "./support/Helpers.js"
import { asOwner, databaseLayer, storeKey, TestDb, withUseCases } from "./support/PgTestLayer.js"

/** DatabaseHealth on a pool of `url`'s role. */
const healthOn = (url: string) =>
  DatabaseHealth.layer.pipe(
    Layer.provide(RuntimeSql.layerFrom({ url: Redacted.make(url), maxConnections: 1, applicationName: "health-test" })),
    Layer.orDie
  )

layer(databaseLayer, { timeout: "60 seconds", excludeTestServices: true })("the adapter's ports", (it) => {
  describe("database health", () => {
    it.effect("answers a ping, and reports a well-configured runtime role", () =>
      Effect.gen(function*() {
        const db = yield* TestDb
        yield* Effect.gen(function*() {
          const health = yield* DatabaseHealth.DatabaseHealth
          yield* health.ping("2 seconds")
          const report = yield* health.inspectRuntimeRole
          expect(report).toMatchObject({
            role: db.appRole,
            superuser: false,
            bypassRls: false,
            ownsAuditEvents: false,
            writesAuditEventsDirectly: false
          })
          const usableSeeds = yield* asOwner<{ n: number }>(
            "SELECT count(*)::int AS n FROM api_keys WHERE is_seed AND is_active AND expires_at > now()"
          )
          expect(report.usableSeedKeys).toBe(usableSeeds[0]!.n)
          expect(DatabaseHealth.productionProblems(DatabaseHealth.RuntimeRoleReport.make({ ...report, usableSeedKeys: 0 })))
            .toEqual([])
        }).pipe(Effect.provide(healthOn(db.appUrl)))
      }))

    it.effect("counts usable seed keys, and flags a superuser that owns audit_events", () =>
      Effect.gen(function*() {
        const db = yield* TestDb
        const before = yield* Effect.provide(
          Effect.flatMap(DatabaseHealth.DatabaseHealth, (h) => h.inspectRuntimeRole),
          healthOn(db.appUrl)
        )
        yield* withUseCases(Effect.gen(function*() {
          yield* storeKey("loan_officer", { isSeed: true })
          yield* storeKey("reviewer", { isSeed: true, isActive: false })
          yield* storeKey("reviewer", { isSeed: true, expiresAt: Timestamp.addSeconds(yield* Timestamp.now, -60) })
        }))
        const after = yield* Effect.provide(
          Effect.flatMap(DatabaseHealth.DatabaseHealth, (h) => h.inspectRuntimeRole),
          healthOn(db.appUrl)
        )
        // Only the active, unexpired one counts.
        expect(after.usableSeedKeys - before.usableSeedKeys).toBe(1)

        const report = yield* Effect.provide(
          Effect.flatMap(DatabaseHealth.DatabaseHealth, (h) => h.inspectRuntimeRole),
          healthOn(db.adminUrl)
        )
        expect(report).toMatchObject({ superuser: true, ownsAuditEvents: true, writesAuditEventsDirectly: true })
        const problems = DatabaseHealth.productionProblems(report).join("\n")
        expect(problems).toMatch(/superuser/)
        expect(problems).toMatch(/owns audit_events/)
        expect(problems).toMatch(/seed API key/)
      }))

    it.effect("fails a ping with DatabaseUnavailable when no answer comes in time", () =>
      Effect.gen(function*() {
        const db = yield* TestDb
        yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const health = yield* DatabaseHealth.DatabaseHealth
          // The pool's only connection is taken, so the ping cannot be answered.
          yield* Effect.forkScoped(sql.withTransaction(Effect.never))
          yield* Effect.sleep("100 millis")
          const failure = yield* health.ping("200 millis").pipe(Effect.flip)
          expect(failure).toBeInstanceOf(DatabaseHealth.DatabaseUnavailable)
          expect(failure.message).toMatch(/no answer within/)
        }).pipe(
          Effect.provide(DatabaseHealth.layer.pipe(Layer.provideMerge(
            RuntimeSql.layerFrom({ url: Redacted.make(db.appUrl), maxConnections: 1, applicationName: "health-test" })
          ), Layer.orDie)),
          Effect.scoped
        )
      }))
  })

  describe("confidence thresholds", () => {
    it.effect("reads the two thresholds and changes one inside a unit of work, with its event", () =>
      withUseCases(Effect.gen(function*() {
        const thresholds = yield* ConfidenceThresholds
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        expect((yield* thresholds.all).map((t) => [t.name, t.value])).toEqual([
          ["auto_approve_min", "0.850"],
          ["escalate_below", "0.600"]
        ])
        const now = yield* Timestamp.now
        yield* uow.transaction(
          [ChainKey.system],
          Effect.gen(function*() {
            const old = yield* thresholds.findForUpdate("escalate_below")
            yield* thresholds.update("escalate_below", "0.550" as ConfidenceScore, now)
            yield* log.append(maintenanceEvent(ChainKey.system, { threshold: "escalate_below", from: old.value, to: "0.550" }))
          })
        )
        const after = yield* thresholds.all
        expect(after.find((t) => t.name === "escalate_below")).toMatchObject({ value: "0.550", updatedAt: now })
      })))
  })

  describe("audit log readers", () => {
    it.effect("streams a chain longer than one batch in id order, and lists every chain once", () =>
      withUseCases(Effect.gen(function*() {
        const uow = yield* UnitOfWork
        const log = yield* AuditLog
        const chain = ChainKey.application(Ids.newApplicationId())
        const total = CHAIN_BATCH_SIZE + 7
        // One transaction appending many events: each append reads the head it just wrote.
        yield* uow.transaction([chain], Effect.forEach(
          Array.from({ length: total }, (_, i) => i),
          (i) => log.append(maintenanceEvent(chain, { i })),
          { discard: true }
        ))
        const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(log.readChain(chain)))
        expect(rows).toHaveLength(total)
        expect(rows.map((r) => BigInt(r.id))).toEqual([...rows.map((r) => BigInt(r.id))].sort((a, b) => (a < b ? -1 : 1)))
        expect(yield* AuditChain.verifyRows(chain, log.readChain(chain))).toMatchObject({ _tag: "Intact", events: total })

        const chains = Chunk.toReadonlyArray(yield* Stream.runCollect(log.chains)).map(ChainKey.toString)
        expect(new Set(chains).size).toBe(chains.length)
        expect(chains).toContain(ChainKey.toString(chain))
      })), 120_000)

    it.effect("refuses a bad cursor or limit with a ValidationError", () =>
      withUseCases(Effect.gen(function*() {
        const log = yield* AuditLog
        const query = (cursor: Option.Option<string>, limit: number) =>
          log.query({ chain: ChainKey.system, eventType: Option.none(), from: Option.none(), to: Option.none(), page: { cursor, limit } })
            .pipe(Effect.flip)
        expect(yield* query(Option.some("MDA"), 10)).toBeInstanceOf(ValidationError)
        expect(yield* query(Option.some("!!"), 10)).toBeInstanceOf(ValidationError)
        expect(yield* query(Option.none(), 0)).toBeInstanceOf(ValidationError)
      })))
  })

  describe("database errors", () => {
    it.effect("name the constraint and never quote the row", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const repo = yield* ApplicationRepository
        const uow = yield* UnitOfWork
        const { actor } = yield* storeKey("loan_officer")
        const app = yield* apps.create(actor, createRequest())
        // The same id again, with a borrower name that must never reach a log.
        const duplicate = new LoanApplication({ ...app, borrowerName: "Jane Q. Borrower" }, { disableValidation: true })
        const exit = yield* uow.transaction([ChainKey.application(app.id)], repo.insert(duplicate)).pipe(Effect.exit)
        const failure = Option.getOrThrow(defectOf(exit))
        expect(failure).toBeInstanceOf(DatabaseFailure)
        expect(failure).toMatchObject({ code: "23505", constraint: "loan_applications_pkey", table: "loan_applications" })
        const printed = `${String(failure)} ${JSON.stringify(failure)}`
        expect(printed).not.toContain("Jane")
        expect(printed).not.toContain(app.id)
      })))
  })
})
