import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { Actor, ApiKeyRecord, ApiKeys, AuditChain, Ids, Pagination, Timestamp, Validation } from "../src/index.js"
import { bearer, seedKey } from "./support/Fixtures.js"
import { InMemoryDatabase } from "./support/InMemory.js"
import { makeTestLayer } from "./support/TestLayer.js"

const setup = Effect.gen(function*() {
  const keys = yield* ApiKeys.ApiKeys
  const db = (yield* InMemoryDatabase).state
  const reviewer = yield* seedKey("reviewer")
  const systemChain = () => db.audit.filter((e) => e.applicationId === null)
  return { keys, db, reviewer, systemChain }
})

const request = (role: "loan_officer" | "senior_underwriter" | "reviewer") => ({ role, expiresInDays: 90 })

describe("ApiKeys", () => {
  it.effect("creates a key shown once, stored as its HMAC, recorded on the system chain", () =>
    Effect.gen(function*() {
      const { keys, db, reviewer, systemChain } = yield* setup
      const created = yield* keys.create(reviewer.actor, { ...request("loan_officer"), description: "desk 4" })
      const plaintext = Redacted.value(created.key)
      expect(plaintext).toMatch(/^ak_lo_[A-Za-z0-9_-]{43}$/)
      const stored = db.apiKeys.get(created.record.id)!
      expect(stored.keyHash).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.stringify(stored)).not.toContain(plaintext.slice(6))
      expect(stored.expiresAt).toBe(Timestamp.addSeconds(stored.createdAt, 90 * 86_400))
      const event = systemChain().at(-1)!
      expect(event).toMatchObject({ eventType: "key_management", applicationId: null, actorRole: "reviewer" })
      expect(event.metadata).toMatchObject({ action: "created", key_id: created.record.id, role: "loan_officer" })
      expect(AuditChain.canonicalText(event)).not.toContain(plaintext.slice(6))
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("authenticates by the stored role; the role prefix is only a hint", () =>
    Effect.gen(function*() {
      const { keys, reviewer } = yield* setup
      const officer = yield* keys.create(reviewer.actor, request("loan_officer"))
      const actor = yield* keys.authenticate(bearer(officer.key))
      expect(actor).toEqual(Actor.apiKey(officer.record.id, "loan_officer"))
      // Claiming a higher role changes nothing.
      expect(yield* keys.authenticate(bearer(officer.key, "reviewer"))).toEqual(actor)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("records failed authentications on the system chain, but not a missing header", () =>
    Effect.gen(function*() {
      const { keys, reviewer, systemChain } = yield* setup
      const before = systemChain().length
      expect(yield* Effect.flip(keys.authenticate(undefined))).toMatchObject({ _tag: "Unauthenticated", reason: "missing" })
      expect(systemChain()).toHaveLength(before)
      expect(yield* Effect.flip(keys.authenticate("Bearer nonsense"))).toMatchObject({ reason: "malformed" })
      const unknown = `Bearer ak_rv_${"A".repeat(43)}`
      expect(yield* Effect.flip(keys.authenticate(unknown))).toMatchObject({ reason: "unknown_key" })
      const events = systemChain().slice(before)
      expect(events.map((e) => [e.eventType, e.actorType, e.metadata["reason"]])).toEqual([
        ["auth_event", "anonymous", "malformed"],
        ["auth_event", "anonymous", "unknown_key"]
      ])
      expect(events.map(AuditChain.canonicalText).join()).not.toContain("A".repeat(43))

      const short = yield* keys.create(reviewer.actor, { role: "loan_officer", expiresInDays: 1 })
      yield* TestClock.adjust("25 hours")
      expect(yield* Effect.flip(keys.authenticate(bearer(short.key)))).toMatchObject({ reason: "expired" })
      expect(systemChain().at(-1)).toMatchObject({ actorType: "api_key", actorId: short.record.id, metadata: { reason: "expired" } })
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("revokes idempotently; a key cannot revoke itself; revoked keys fail", () =>
    Effect.gen(function*() {
      const { keys, reviewer, systemChain } = yield* setup
      const own = yield* Effect.flip(keys.revoke(reviewer.actor, reviewer.record.id))
      expect(own).toMatchObject({ _tag: "Conflict" })
      const officer = yield* keys.create(reviewer.actor, request("loan_officer"))
      const revoked = yield* keys.revoke(reviewer.actor, officer.record.id)
      expect(revoked.isActive).toBe(false)
      const events = systemChain().length
      expect((yield* keys.revoke(reviewer.actor, officer.record.id)).isActive).toBe(false)
      expect(systemChain()).toHaveLength(events) // nothing new
      expect(yield* Effect.flip(keys.authenticate(bearer(officer.key)))).toMatchObject({ reason: "inactive" })
      expect(yield* Effect.flip(keys.revoke(reviewer.actor, Ids.newApiKeyId()))).toMatchObject({
        _tag: "NotFound",
        entity: "api_key"
      })
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("is for reviewers and operators only", () =>
    Effect.gen(function*() {
      const { keys } = yield* setup
      const underwriter = yield* seedKey("senior_underwriter")
      expect(yield* Effect.flip(keys.create(underwriter.actor, request("reviewer")))).toMatchObject({ _tag: "Forbidden", requiredRole: "reviewer" })
      expect((yield* Effect.flip(keys.list(underwriter.actor, Pagination.firstPage())))._tag).toBe("Forbidden")
      const operator = Actor.operator("ops")
      const seed = yield* keys.create(operator, request("reviewer"), { isSeed: true, expiresAt: Timestamp.addSeconds(yield* Timestamp.now, 86_400) })
      expect(seed.record.isSeed).toBe(true)
      expect((yield* keys.list(operator, Pagination.firstPage())).items.length).toBeGreaterThanOrEqual(2)
    }).pipe(Effect.provide(makeTestLayer())))
})

describe("CreateApiKeyRequest", () => {
  it.each(["a\u0000b", "line\rover", "bell\u0007", "esc\u001b[2J"])("refuses the description %j without quoting it", (description) => {
    const result = Effect.runSync(
      Effect.either(Validation.decodeUnknown(ApiKeyRecord.CreateApiKeyRequest)({ role: "reviewer", description }))
    )
    expect(result._tag).toBe("Left")
    if (result._tag === "Left") {
      expect(result.left.issues.map((i) => i.field)).toEqual(["description"])
      expect(result.left.message).not.toContain(description)
    }
  })
})
