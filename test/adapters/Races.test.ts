/**
 * Races between use cases on one application, through the PostgreSQL
 * adapter: each resolves to exactly one valid outcome, the stored state
 * agrees with the audit chain, and the chain verifies. Each race runs a few
 * rounds, so more than one interleaving gets its chance.
 */
import { describe, expect, layer } from "@effect/vitest"
import * as Array from "effect/Array"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Applications } from "@loan-ledger/domain/Applications"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { Documents } from "@loan-ledger/domain/Documents"
import { Conflict, DocumentLimitReached, InvalidTransition } from "@loan-ledger/domain/Errors"
import type { ApplicationId } from "@loan-ledger/domain/Ids"
import { MAX_DOCUMENTS_PER_APPLICATION } from "@loan-ledger/domain/LoanDocument"
import { pdf } from "../../packages/domain/test/support/Files.js"
import { createRequest } from "../../packages/domain/test/support/Fixtures.js"
import { asOwner, databaseLayer, draftWithDocument, storeKey, verifyChain, withUseCases } from "./support/PgTestLayer.js"

const ROUNDS = 3

/** Both effects at once, each to its own Either. */
const race = <A, E, R, B, F, S>(a: Effect.Effect<A, E, R>, b: Effect.Effect<B, F, S>) =>
  Effect.all([Effect.either(a), Effect.either(b)], { concurrency: "unbounded" })

const status = (id: ApplicationId) =>
  Effect.map(asOwner<{ status: string }>("SELECT status FROM loan_applications WHERE id = $1", [id]), (r) => r[0]!.status)

/** The chain's events in order, as (type, new_state) pairs. */
const trail = (id: ApplicationId) =>
  asOwner<{ event_type: string; new_state: string | null }>(
    "SELECT event_type, new_state FROM audit_events WHERE application_id = $1 ORDER BY id",
    [id]
  )

const checkpoints = (id: ApplicationId) =>
  asOwner<{ reason: string }>("SELECT reason FROM workflow.checkpoints WHERE application_id = $1 ORDER BY requested_at", [id])

const documentCount = (id: ApplicationId) =>
  Effect.map(
    asOwner<{ n: number; contents: number }>(
      `SELECT count(*)::int AS n, count(c.document_id)::int AS contents
       FROM documents d LEFT JOIN document_contents c ON c.document_id = d.id WHERE d.application_id = $1`,
      [id]
    ),
    (r) => r[0]!
  )

const expectIntact = (id: ApplicationId) =>
  Effect.map(verifyChain(ChainKey.application(id)), (v) => expect(v._tag).toBe("Intact"))

const pool = { maxConnections: 30, lockTimeoutMs: 30_000 }

layer(databaseLayer, { timeout: "60 seconds", excludeTestServices: true })("races", (it) => {
  describe("resolve to exactly one valid outcome", () => {
    it.effect("two submits at once: one submits, the other finds it already processing", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const { actor } = yield* storeKey("loan_officer")
        for (let round = 0; round < ROUNDS; round++) {
          const app = yield* draftWithDocument(actor)
          const results = yield* race(apps.submit(actor, app.id), apps.submit(actor, app.id))
          const [won, lost] = Either.isRight(results[0]) ? results : [results[1], results[0]]
          expect(Either.isRight(won)).toBe(true)
          expect(lost).toEqual(Either.left(new InvalidTransition({ from: "processing", to: "submitted" })))
          expect(yield* status(app.id)).toBe("processing")
          expect((yield* trail(app.id)).filter((e) => e.event_type === "state_transition").map((e) => e.new_state))
            .toEqual(["draft", "submitted", "processing"])
          expect(yield* checkpoints(app.id)).toEqual([{ reason: "submitted" }])
          yield* expectIntact(app.id)
        }
      }), pool))

    it.effect("submit against withdraw: exactly one of them happens", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const { actor } = yield* storeKey("loan_officer")
        for (let round = 0; round < ROUNDS; round++) {
          const app = yield* draftWithDocument(actor)
          const [submitted, withdrawn] = yield* race(apps.submit(actor, app.id), apps.withdraw(actor, app.id))
          const transitions = (yield* trail(app.id)).filter((e) => e.event_type === "state_transition")
            .map((e) => e.new_state)
          if (Either.isRight(submitted)) {
            expect(withdrawn).toEqual(Either.left(new InvalidTransition({ from: "processing", to: "withdrawn" })))
            expect(yield* status(app.id)).toBe("processing")
            expect(transitions).toEqual(["draft", "submitted", "processing"])
            expect(yield* checkpoints(app.id)).toHaveLength(1)
          } else {
            expect(submitted).toEqual(Either.left(new InvalidTransition({ from: "withdrawn", to: "submitted" })))
            expect(Either.isRight(withdrawn)).toBe(true)
            expect(yield* status(app.id)).toBe("withdrawn")
            expect(transitions).toEqual(["draft", "withdrawn"])
            expect(yield* checkpoints(app.id)).toHaveLength(0)
          }
          yield* expectIntact(app.id)
        }
      }), pool))

    it.effect("an upload against a submit: no document is ever added after submission", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const docs = yield* Documents
        const { actor } = yield* storeKey("loan_officer")
        for (let round = 0; round < ROUNDS; round++) {
          const app = yield* draftWithDocument(actor)
          const [uploaded, submitted] = yield* race(
            docs.upload(actor, app.id, { filename: "late.pdf", content: pdf() }),
            apps.submit(actor, app.id)
          )
          expect(Either.isRight(submitted)).toBe(true)
          const events = yield* trail(app.id)
          const submittedAt = events.findIndex((e) => e.new_state === "submitted")
          const uploadsAfter = events.slice(submittedAt).filter((e) => e.event_type === "document_upload")
          expect(uploadsAfter).toEqual([])
          if (Either.isRight(uploaded)) {
            expect(yield* documentCount(app.id)).toEqual({ n: 2, contents: 2 })
          } else {
            expect(uploaded.left).toBeInstanceOf(Conflict)
            expect(yield* documentCount(app.id)).toEqual({ n: 1, contents: 1 })
          }
          expect(events.filter((e) => e.event_type === "document_upload")).toHaveLength(Either.isRight(uploaded) ? 2 : 1)
          expect(yield* status(app.id)).toBe("processing")
          yield* expectIntact(app.id)
        }
      }), pool))

    it.effect("two retries at once: one re-enters processing, the other finds it processing", () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const { actor } = yield* storeKey("loan_officer")
        for (let round = 0; round < ROUNDS; round++) {
          const app = yield* draftWithDocument(actor)
          yield* apps.submit(actor, app.id)
          // Nothing moves an application to processing_error in this phase; the owner does it here.
          yield* asOwner("UPDATE loan_applications SET status = 'processing_error' WHERE id = $1", [app.id])
          const results = yield* race(apps.retry(actor, app.id), apps.retry(actor, app.id))
          const [won, lost] = Either.isRight(results[0]) ? results : [results[1], results[0]]
          expect(Either.isRight(won)).toBe(true)
          expect(lost).toEqual(Either.left(new InvalidTransition({ from: "processing", to: "processing" })))
          expect(yield* status(app.id)).toBe("processing")
          expect(yield* checkpoints(app.id)).toEqual([{ reason: "submitted" }, { reason: "retry" }])
          const retries = (yield* trail(app.id)).filter((e) => e.new_state === "processing")
          expect(retries).toHaveLength(2)
          yield* expectIntact(app.id)
        }
      }), pool))

    it.effect(`${MAX_DOCUMENTS_PER_APPLICATION + 1} uploads at once to one draft: ${MAX_DOCUMENTS_PER_APPLICATION} stored`, () =>
      withUseCases(Effect.gen(function*() {
        const apps = yield* Applications
        const docs = yield* Documents
        const { actor } = yield* storeKey("loan_officer")
        const app = yield* apps.create(actor, createRequest())
        const results = yield* Effect.forEach(
          Array.range(1, MAX_DOCUMENTS_PER_APPLICATION + 1),
          (n) => Effect.either(docs.upload(actor, app.id, { filename: `page-${n}.pdf`, content: pdf(`% page ${n}`) })),
          { concurrency: "unbounded" }
        )
        expect(results.filter(Either.isRight)).toHaveLength(MAX_DOCUMENTS_PER_APPLICATION)
        expect(results.filter(Either.isLeft).map((r) => r.left)).toEqual([
          new DocumentLimitReached({ applicationId: app.id, limit: MAX_DOCUMENTS_PER_APPLICATION })
        ])
        expect(yield* documentCount(app.id)).toEqual({
          n: MAX_DOCUMENTS_PER_APPLICATION,
          contents: MAX_DOCUMENTS_PER_APPLICATION
        })
        expect((yield* trail(app.id)).filter((e) => e.event_type === "document_upload"))
          .toHaveLength(MAX_DOCUMENTS_PER_APPLICATION)
        yield* expectIntact(app.id)
      }), pool))
  })
})
