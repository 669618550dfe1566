import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Actor, Applications, AuditChain, ChainKey, Documents, LoanApplication, Pagination, PiiVault } from "../src/index.js"
import { createRequest, seedKey } from "./support/Fixtures.js"
import { pdf } from "./support/Files.js"
import { InMemoryDatabase } from "./support/InMemory.js"
import { makeTestLayer } from "./support/TestLayer.js"

const page = Pagination.firstPage(100)

const setup = Effect.gen(function*() {
  const apps = yield* Applications.Applications
  const docs = yield* Documents.Documents
  const db = (yield* InMemoryDatabase).state
  const officer = (yield* seedKey("loan_officer")).actor
  const otherOfficer = (yield* seedKey("loan_officer")).actor
  const underwriter = (yield* seedKey("senior_underwriter")).actor
  const reviewer = (yield* seedKey("reviewer")).actor
  const chainOf = (id: string) => db.audit.filter((e) => e.applicationId === id)
  return { apps, docs, db, officer, otherOfficer, underwriter, reviewer, chainOf }
})

const withDocument = (actor: Actor.Actor) =>
  Effect.gen(function*() {
    const { apps, docs } = yield* setup.pipe(Effect.map(({ apps, docs }) => ({ apps, docs })))
    const app = yield* apps.create(actor, createRequest())
    yield* docs.upload(actor, app.id, { filename: "scan.pdf", content: pdf() })
    return app
  })

describe("Applications", () => {
  it.effect("creates a draft with encrypted PII, a masked view and a state_transition event", () =>
    Effect.gen(function*() {
      const { apps, db, officer, chainOf } = yield* setup
      const app = yield* apps.create(officer, createRequest())
      expect(app.status).toBe("draft")
      expect(app.loanAmountCents).toBe(25_000_000n)
      expect(app.ssnLast4).toBe("3456")
      expect(Buffer.from(app.ssnEncrypted).toString("latin1")).not.toContain("900-12-3456")
      const ssn = yield* PiiVault.decryptText(app.ssnEncrypted)
      expect(Redacted.value(ssn)).toBe("900-12-3456")
      const accounts = yield* PiiVault.decryptText(app.accountNumbersEncrypted!)
      expect(JSON.parse(Redacted.value(accounts))).toEqual(["DE89370400440532013000", "12345678"])

      const view = LoanApplication.toView(app)
      expect(view).toMatchObject({ ssn: "***-**-3456", accountNumbers: "[REDACTED]", governmentId: "[REDACTED]", loanAmount: "250000.00", interestRate: "6.875" })

      const events = chainOf(app.id)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({
        eventType: "state_transition",
        previousState: null,
        newState: "draft",
        actorType: "api_key",
        actorId: (officer as Actor.ApiKeyActor).keyId,
        actorRole: "loan_officer",
        prevEventHash: AuditChain.GENESIS
      })
      // Audit events never hold PII.
      const all = db.audit.map(AuditChain.canonicalText).join("\n")
      for (const secret of ["900-12-3456", "3456", "DE89370400440532013000", "X1234567"]) expect(all).not.toContain(secret)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("shows a loan officer only its own applications; others answer NotFound", () =>
    Effect.gen(function*() {
      const { apps, officer, otherOfficer, underwriter } = yield* setup
      const mine = yield* apps.create(officer, createRequest())
      const theirs = yield* apps.create(otherOfficer, createRequest())
      const listed = yield* apps.list(officer, { status: Option.none(), page })
      expect(listed.items.map((a) => a.id)).toEqual([mine.id])
      expect((yield* apps.list(underwriter, { status: Option.none(), page })).items).toHaveLength(2)
      const denied = yield* Effect.flip(apps.get(officer, theirs.id))
      expect(denied).toMatchObject({ _tag: "NotFound", entity: "application", id: theirs.id })
      for (const attempt of [apps.submit(officer, theirs.id), apps.withdraw(officer, theirs.id), apps.retry(officer, theirs.id)]) {
        expect((yield* Effect.flip(attempt))._tag).toBe("NotFound")
      }
      expect((yield* apps.get(underwriter, theirs.id)).id).toBe(theirs.id)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("submits as draft -> submitted -> processing: two events, one transaction, one processing request", () =>
    Effect.gen(function*() {
      const { apps, db, officer, chainOf } = yield* setup
      const app = yield* withDocument(officer)
      const submitted = yield* apps.submit(officer, app.id)
      expect(submitted.status).toBe("processing")
      expect((yield* apps.get(officer, app.id)).status).toBe("processing")
      const transitions = chainOf(app.id).filter((e) => e.eventType === "state_transition")
      expect(transitions.map((e) => [e.previousState, e.newState])).toEqual([
        [null, "draft"],
        ["draft", "submitted"],
        ["submitted", "processing"]
      ])
      expect(db.queue).toEqual([expect.objectContaining({ applicationId: app.id, reason: "submitted" })])
      expect(AuditChain.verify(ChainKey.application(app.id), chainOf(app.id))._tag).toBe("Intact")
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("refuses to submit without documents, changing nothing", () =>
    Effect.gen(function*() {
      const { apps, db, officer, chainOf } = yield* setup
      const app = yield* apps.create(officer, createRequest())
      const error = yield* Effect.flip(apps.submit(officer, app.id))
      expect(error).toMatchObject({ _tag: "NoDocuments", applicationId: app.id })
      expect((yield* apps.get(officer, app.id)).status).toBe("draft")
      expect(chainOf(app.id)).toHaveLength(1)
      expect(db.queue).toHaveLength(0)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("resolves a double-clicked submit to exactly one submission", () =>
    Effect.gen(function*() {
      const { apps, db, officer, chainOf } = yield* setup
      const app = yield* withDocument(officer)
      const results = yield* Effect.all([apps.submit(officer, app.id), apps.submit(officer, app.id)].map(Effect.either), {
        concurrency: "unbounded"
      })
      expect(results.filter(Either.isRight)).toHaveLength(1)
      const failure = results.find(Either.isLeft)!
      expect(failure.left).toMatchObject({ _tag: "InvalidTransition", from: "processing", to: "submitted" })
      expect(chainOf(app.id).filter((e) => e.newState === "processing")).toHaveLength(1)
      expect(db.queue).toHaveLength(1)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("withdraws from draft and rejects a withdrawal from processing naming both states", () =>
    Effect.gen(function*() {
      const { apps, officer } = yield* setup
      const draft = yield* apps.create(officer, createRequest())
      expect((yield* apps.withdraw(officer, draft.id)).status).toBe("withdrawn")
      const processing = yield* withDocument(officer)
      yield* apps.submit(officer, processing.id)
      const error = yield* Effect.flip(apps.withdraw(officer, processing.id))
      expect(error).toMatchObject({ _tag: "InvalidTransition", from: "processing", to: "withdrawn" })
      expect(error.message).toBe("an application cannot move from processing to withdrawn")
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("retries only from processing_error, for the owning officer or a senior underwriter", () =>
    Effect.gen(function*() {
      const { apps, db, officer, otherOfficer, underwriter } = yield* setup
      const app = yield* withDocument(officer)
      yield* apps.submit(officer, app.id)
      expect(yield* Effect.flip(apps.retry(officer, app.id))).toMatchObject({
        _tag: "InvalidTransition",
        from: "processing",
        to: "processing"
      })
      // Only the (future) pipeline moves an application to processing_error.
      const fail = () => db.applications.set(app.id, LoanApplication.LoanApplication.make({ ...db.applications.get(app.id)!, status: "processing_error" }))
      fail()
      expect((yield* Effect.flip(apps.retry(otherOfficer, app.id)))._tag).toBe("NotFound")
      expect((yield* apps.retry(officer, app.id)).status).toBe("processing")
      fail()
      expect((yield* apps.retry(underwriter, app.id)).status).toBe("processing")
      expect(db.queue.filter((r) => r.reason === "retry")).toHaveLength(2)

      // Two racing retries: one wins.
      fail()
      const results = yield* Effect.all([apps.retry(officer, app.id), apps.retry(underwriter, app.id)].map(Effect.either), {
        concurrency: "unbounded"
      })
      expect(results.filter(Either.isRight)).toHaveLength(1)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("fails as a whole when its audit write fails", () =>
    Effect.gen(function*() {
      const { apps, db, officer, chainOf } = yield* setup
      const app = yield* withDocument(officer)
      const before = chainOf(app.id).length
      db.failNextAppend = true
      const exit = yield* Effect.exit(apps.submit(officer, app.id))
      expect(exit._tag).toBe("Failure")
      expect((yield* apps.get(officer, app.id)).status).toBe("draft")
      expect(chainOf(app.id)).toHaveLength(before)
      expect(db.queue).toHaveLength(0)
    }).pipe(Effect.provide(makeTestLayer())))

  it.live("answers ChainBusy when the chain lock is not obtained in time, writing nothing", () =>
    Effect.gen(function*() {
      const { apps, officer, chainOf } = yield* setup
      const database = yield* InMemoryDatabase
      const app = yield* withDocument(officer)
      const release = yield* database.holdLock(ChainKey.application(app.id))
      const error = yield* Effect.flip(apps.submit(officer, app.id))
      expect(error).toMatchObject({ _tag: "ChainBusy", chain: `application:${app.id}` })
      yield* release
      expect((yield* apps.get(officer, app.id)).status).toBe("draft")
      expect(chainOf(app.id).every((e) => e.newState !== "submitted")).toBe(true)
    }).pipe(Effect.provide(makeTestLayer({ lockTimeout: "100 millis" }))))

  it.effect("operators cannot create applications (they own no key)", () =>
    Effect.gen(function*() {
      const { apps } = yield* setup
      expect((yield* Effect.flip(apps.create(Actor.operator("ops"), createRequest())))._tag).toBe("Forbidden")
    }).pipe(Effect.provide(makeTestLayer())))
})
