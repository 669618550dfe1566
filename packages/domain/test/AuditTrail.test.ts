import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Actor, Applications, AuditEvent, AuditTrail, Documents, Pagination, Timestamp, Validation } from "../src/index.js"
import { createRequest, seedKey } from "./support/Fixtures.js"
import { pdf } from "./support/Files.js"
import { InMemoryDatabase } from "./support/InMemory.js"
import { makeTestLayer } from "./support/TestLayer.js"

const setup = Effect.gen(function*() {
  const trail = yield* AuditTrail.AuditTrail
  const apps = yield* Applications.Applications
  const docs = yield* Documents.Documents
  const db = (yield* InMemoryDatabase).state
  const officer = (yield* seedKey("loan_officer")).actor
  const otherOfficer = (yield* seedKey("loan_officer")).actor
  const underwriter = (yield* seedKey("senior_underwriter")).actor
  const reviewer = (yield* seedKey("reviewer")).actor
  const app = yield* apps.create(officer, createRequest())
  yield* docs.upload(officer, app.id, { filename: "a.pdf", content: pdf() })
  yield* apps.submit(officer, app.id)
  yield* trail.record(reviewer, Schema.decodeUnknownSync(AuditTrail.RecordEventRequest)({ eventType: "maintenance", reasoning: "set-up" }))
  return { trail, apps, docs, db, officer, otherOfficer, underwriter, reviewer, app }
})

const decodeRecord = (input: unknown) => Effect.runSync(Effect.either(Validation.decodeUnknown(AuditTrail.RecordEventRequest)(input)))

const query = (applicationId: Option.Option<string>, rest: Partial<AuditTrail.AuditTrailQuery> = {}): AuditTrail.AuditTrailQuery => ({
  applicationId: applicationId as Option.Option<never>,
  eventType: Option.none(),
  from: Option.none(),
  to: Option.none(),
  page: Pagination.firstPage(100),
  ...rest
})

describe("AuditTrail", () => {
  it.effect("records reviews on an application chain (senior underwriters and up) and maintenance on the system chain (reviewers)", () =>
    Effect.gen(function*() {
      const { trail, officer, underwriter, reviewer, app } = yield* setup
      const review = Schema.decodeUnknownSync(AuditTrail.RecordEventRequest)({
        applicationId: app.id,
        eventType: "human_review",
        reasoning: "income verified against statements",
        confidenceScore: 0.9,
        metadata: { checklist: ["income", "identity"], items: 2 }
      })
      const event = yield* trail.record(underwriter, review)
      expect(event).toMatchObject({ applicationId: app.id, eventType: "human_review", confidenceScore: "0.900", actorRole: "senior_underwriter" })
      expect((yield* Effect.flip(trail.record(officer, review)))._tag).toBe("Forbidden")

      const maintenance = Schema.decodeUnknownSync(AuditTrail.RecordEventRequest)({ eventType: "maintenance", reasoning: "key rotation" })
      expect((yield* trail.record(reviewer, maintenance)).applicationId).toBeNull()
      expect((yield* Effect.flip(trail.record(underwriter, maintenance)))._tag).toBe("Forbidden")
    }).pipe(Effect.provide(makeTestLayer())))

  it("refuses to record events that only use cases produce, floats in metadata, and excess confidence", () => {
    for (const eventType of ["state_transition", "document_access", "auth_event", "key_management", "document_upload"]) {
      expect(Either.isLeft(decodeRecord({ eventType }))).toBe(true)
    }
    const float = decodeRecord({ eventType: "maintenance", metadata: { ratio: 0.5 } })
    expect(Either.isLeft(float) && float.left.issues[0]).toMatchObject({ field: "metadata" })
    const precise = decodeRecord({ eventType: "agent_decision", confidenceScore: "0.8505" })
    expect(Either.isLeft(precise) && precise.left.issues[0]).toEqual({ field: "confidenceScore", message: "must have at most three decimals" })
    expect(Either.isLeft(decodeRecord({ eventType: "maintenance", extra: 1 }))).toBe(true)
  })

  it.effect("queries a chain with filters; loan officers only their own", () =>
    Effect.gen(function*() {
      const { trail, officer, otherOfficer, reviewer, app } = yield* setup
      const all = yield* trail.query(officer, query(Option.some(app.id)))
      expect(all.items.map((e) => e.eventType)).toEqual(["state_transition", "document_upload", "state_transition", "state_transition"])
      const transitions = yield* trail.query(officer, query(Option.some(app.id), { eventType: Option.some("state_transition") }))
      expect(transitions.items).toHaveLength(3)
      const future = yield* trail.query(officer, query(Option.some(app.id), { from: Option.some(Timestamp.fromEpochMicros(10n ** 15n)) }))
      expect(future.items).toHaveLength(0)
      const paged = yield* trail.query(officer, query(Option.some(app.id), { page: Pagination.firstPage(3) }))
      expect(paged.hasMore).toBe(true)
      expect((yield* Effect.flip(trail.query(otherOfficer, query(Option.some(app.id)))))._tag).toBe("NotFound")
      expect((yield* Effect.flip(trail.query(officer, query(Option.none()))))._tag).toBe("Forbidden")
      expect((yield* trail.query(reviewer, query(Option.none()))).items.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("verifies chains as stored and names the first event that breaks", () =>
    Effect.gen(function*() {
      const { trail, db, officer, reviewer, app } = yield* setup
      const intact = yield* trail.verify(officer, Option.some(app.id))
      expect(intact).toMatchObject({ _tag: "Intact", events: 4 })

      // Someone with database access rewrites the reasoning of the upload event.
      const events = db.audit.filter((e) => e.applicationId === app.id)
      const at = db.audit.indexOf(events[1]!)
      db.audit[at] = AuditEvent.AuditEvent.make({ ...events[1]!, reasoning: "edited" })
      const broken = yield* trail.verify(officer, Option.some(app.id))
      expect(broken).toMatchObject({
        _tag: "Broken",
        break: {
          eventId: events[2]!.id,
          field: "prev_event_hash",
          detail: `prev_event_hash does not match the hash of event ${events[1]!.id}`
        }
      })

      const results = Chunk.toReadonlyArray(yield* Stream.runCollect(trail.verifyAll(Actor.operator("ops"))))
      expect(results.map((r) => r._tag).sort()).toEqual(["Broken", "Intact"])
      expect((yield* Effect.flip(Stream.runCollect(trail.verifyAll(officer))))._tag).toBe("Forbidden")
      expect((yield* trail.verify(reviewer, Option.none()))._tag).toBe("Intact")
    }).pipe(Effect.provide(makeTestLayer())))
})
