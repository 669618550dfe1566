import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import { AuditChain, AuditEvent, ChainKey, Ids, Timestamp } from "../src/index.js"
import { chain, metadata, respell, shuffleKeys } from "./support/Arbitraries.js"
import { asDatabaseRow } from "./support/InMemory.js"

type Event = AuditEvent.AuditEvent

const brokenAt = (v: AuditChain.Verification) => (v._tag === "Broken" ? v.break.position : -1)

const with_ = (event: Event, fields: Partial<Event>): Event =>
  AuditEvent.AuditEvent.make({ ...event, ...fields })

/** A different valid value for one column of `event`. */
const mutations: ReadonlyArray<readonly [string, (e: Event) => Event]> = [
  ["actor_id", (e) => with_(e, { actorId: e.actorId + "x" })],
  ["actor_type", (e) => with_(e, { actorType: e.actorType === "system" ? "operator" : "system" })],
  ["actor_role", (e) => with_(e, { actorRole: e.actorRole === "reviewer" ? "loan_officer" : "reviewer" })],
  ["agent_name", (e) => with_(e, { agentName: e.agentName === null ? "agent" : null })],
  ["confidence_score", (e) => with_(e, { confidenceScore: (e.confidenceScore === "0.500" ? "0.501" : "0.500") as Event["confidenceScore"] })],
  ["reasoning", (e) => with_(e, { reasoning: e.reasoning === null ? "because" : null })],
  ["input_data_hash", (e) => with_(e, { inputDataHash: e.inputDataHash === null ? "a".repeat(64) : null })],
  ["previous_state", (e) => with_(e, { previousState: e.previousState === "draft" ? "approved" : "draft" })],
  ["new_state", (e) => with_(e, { newState: e.newState === "denied" ? null : "denied" })],
  ["event_type", (e) => with_(e, { eventType: e.eventType === "maintenance" ? "auth_event" : "maintenance" })],
  ["metadata", (e) => with_(e, { metadata: { ...e.metadata, tampered: e.metadata["tampered"] !== true } })],
  ["created_at", (e) => with_(e, { createdAt: Timestamp.addSeconds(e.createdAt, 1) })],
  ["id", (e) => with_(e, { id: String(BigInt(e.id) + 1n) as Ids.AuditEventId })],
  ["prev_event_hash", (e) => with_(e, { prevEventHash: e.prevEventHash.replace(/^./, (c) => (c === "0" ? "1" : "0")) })],
  ["application_id", (e) =>
    with_(e, { applicationId: e.applicationId === null ? ("00000000-0000-4000-8000-000000000000" as Ids.ApplicationId) : null })]
]

describe("AuditChain", () => {
  it("verifies an intact chain and returns its head", () => {
    fc.assert(fc.property(chain(), ({ events, key }) => {
      const result = AuditChain.verify(key, events)
      expect(result._tag).toBe("Intact")
      if (result._tag === "Intact") {
        const last = events[events.length - 1]!
        expect(result.events).toBe(events.length)
        expect(result.head).toEqual(Option.some({ id: last.id, hash: AuditChain.hash(last) }))
      }
    }))
  })

  it("an empty chain is intact with no head", () => {
    expect(AuditChain.verify(ChainKey.system, [])).toEqual({
      _tag: "Intact",
      chain: ChainKey.system,
      events: 0,
      head: Option.none()
    })
  })

  it("property: any single change to any field of any event but the last is detected at the right event", () => {
    fc.assert(fc.property(
      chain(2),
      fc.nat(),
      fc.constantFrom(...mutations),
      ({ events, key }, at, [field, mutate]) => {
        const k = at % (events.length - 1)
        const tampered = events.slice()
        tampered[k] = mutate(events[k]!)
        const result = AuditChain.verify(key, tampered)
        expect(result._tag).toBe("Broken")
        if (result._tag !== "Broken") return
        // A field checked on the event itself breaks there; every other
        // change breaks the link of the next event.
        const selfChecked = field === "prev_event_hash" || field === "application_id"
        expect(result.break.position).toBe(selfChecked ? k : k + 1)
        if (!selfChecked) {
          expect(result.break.eventId).toBe(events[k + 1]!.id)
          expect(result.break.field === "prev_event_hash" || result.break.field === "id").toBe(true)
        } else {
          expect(result.break.field).toBe(field)
        }
      }
    ))
  })

  it("names the event and what mismatched", () => {
    fc.assert(fc.property(chain(3, 3), ({ events, key }) => {
      const tampered = [events[0]!, with_(events[1]!, { reasoning: "rewritten" }), events[2]!]
      const result = AuditChain.verify(key, tampered)
      expect(result).toMatchObject({
        _tag: "Broken",
        break: {
          eventId: events[2]!.id,
          position: 2,
          field: "prev_event_hash",
          detail: `prev_event_hash does not match the hash of event ${events[1]!.id}`
        }
      })
      const error = Option.getOrThrow(AuditChain.toError(result))
      expect(error._tag).toBe("AuditChainBroken")
      expect(error.eventId).toBe(events[2]!.id)
    }), { numRuns: 10 })
  })

  it("a change to the last event is not visible from inside the chain (and the head hash changes)", () => {
    fc.assert(fc.property(chain(1), ({ events, key }) => {
      const last = events.length - 1
      const tampered = events.slice()
      tampered[last] = with_(events[last]!, { reasoning: "rewritten tail" })
      const before = AuditChain.verify(key, events)
      const after = AuditChain.verify(key, tampered)
      expect(after._tag).toBe("Intact")
      if (before._tag === "Intact" && after._tag === "Intact" && events[last]!.reasoning !== "rewritten tail") {
        expect(Option.getOrThrow(after.head).hash).not.toBe(Option.getOrThrow(before.head).hash)
      }
    }), { numRuns: 30 })
  })

  it("property: deleting any event but the last is detected at its successor", () => {
    fc.assert(fc.property(chain(2), fc.nat(), ({ events, key }, at) => {
      const k = at % (events.length - 1)
      const result = AuditChain.verify(key, [...events.slice(0, k), ...events.slice(k + 1)])
      expect(result._tag).toBe("Broken")
      if (result._tag === "Broken") {
        expect(result.break.position).toBe(k)
        expect(result.break.eventId).toBe(events[k + 1]!.id)
        expect(result.break.field).toBe("prev_event_hash")
      }
    }))
  })

  it("property: inserting an event anywhere before the end is detected, even with a forged link", () => {
    fc.assert(fc.property(chain(2), fc.nat(), metadata, ({ events, key }, at, meta) => {
      const k = at % events.length // insert before events[k]
      const previous = events[k - 1]
      const forged = AuditEvent.AuditEvent.make({
        ...events[k]!,
        metadata: { ...meta, forged: true },
        id: String(BigInt(previous?.id ?? "0") + 1n) as Ids.AuditEventId,
        prevEventHash: previous === undefined ? AuditChain.GENESIS : AuditChain.hash(previous)
      })
      const result = AuditChain.verify(key, [...events.slice(0, k), forged, ...events.slice(k)])
      expect(result._tag).toBe("Broken")
      if (result._tag === "Broken") {
        // The forged event links correctly; the original successor no longer does.
        expect(result.break.position).toBe(k + 1)
        expect(result.break.eventId).toBe(events[k]!.id)
      }
    }))
  })

  it("property: any reordering is detected at the first moved event", () => {
    fc.assert(fc.property(chain(2), fc.nat(), fc.nat(), ({ events, key }, a, b) => {
      const i = a % events.length
      let j = b % events.length
      if (i === j) j = (j + 1) % events.length
      const [lo, hi] = i < j ? [i, j] : [j, i]
      const reordered = events.slice()
      reordered[lo] = events[hi]!
      reordered[hi] = events[lo]!
      expect(brokenAt(AuditChain.verify(key, reordered))).toBe(lo)
    }))
  })

  it("property: ids must strictly increase", () => {
    fc.assert(fc.property(chain(2), ({ events, key }) => {
      // Relink event 1 with an id not above event 0's: the hash link is right, the order is not.
      const second = AuditEvent.AuditEvent.make({ ...events[1]!, id: events[0]!.id })
      const result = AuditChain.verify(key, [events[0]!, second])
      expect(result).toMatchObject({ _tag: "Broken", break: { position: 1, field: "id" } })
    }), { numRuns: 20 })
  })

  it("rejects an event of another chain", () => {
    fc.assert(fc.property(chain(1, 1), ({ events }) => {
      const other = events[0]!.applicationId === null
        ? ChainKey.application("00000000-0000-4000-8000-000000000001" as Ids.ApplicationId)
        : ChainKey.system
      expect(AuditChain.verify(other, events)).toMatchObject({ _tag: "Broken", break: { field: "application_id" } })
    }), { numRuns: 10 })
  })

  it("property: an event hashes the same before storage and as PostgreSQL hands it back", () => {
    fc.assert(fc.property(chain(1, 3), ({ events }) => {
      for (const event of events) {
        const row = asDatabaseRow(event)
        const decoded = Either.getOrThrow(AuditEvent.fromRow(row))
        expect(AuditChain.canonicalText(decoded)).toBe(AuditChain.canonicalText(event))
        // jsonb may also come back as text
        const asText = { ...row, metadata: JSON.stringify(row.metadata), id: BigInt(event.id) }
        expect(AuditChain.hash(Either.getOrThrow(AuditEvent.fromRow(asText)))).toBe(AuditChain.hash(event))
      }
    }))
  })

  it("property: an event's encoding is the same for every key order and number spelling of its metadata", () => {
    fc.assert(fc.property(chain(1, 2), fc.nat(), ({ events }, seed) => {
      for (const event of events) {
        const row = { ...AuditEvent.toRow(event), metadata: respell(shuffleKeys(event.metadata, seed), seed) }
        const decoded = Either.getOrThrow(AuditEvent.fromRow(row))
        expect(AuditChain.hash(decoded)).toBe(AuditChain.hash(event))
      }
    }))
  })

  it.effect("verifies a streamed chain of database rows in constant memory", () =>
    Effect.gen(function*() {
      const { events, key } = fc.sample(chain(5, 5), { numRuns: 1, seed: 42 })[0]!
      const rows = Stream.fromIterable(events.map(asDatabaseRow))
      const result = yield* AuditChain.verifyRows(key, rows)
      expect(result._tag).toBe("Intact")
      expect(result.events).toBe(5)

      // A row that does not decode breaks the chain there, naming the column.
      const bad = events.map(asDatabaseRow)
      bad[2] = { ...bad[2]!, metadata: { x: 1.5 } }
      let pulled = 0
      const counted = Stream.fromIterable(bad).pipe(Stream.tap(() => Effect.sync(() => pulled++)))
      const broken = yield* AuditChain.verifyRows(key, counted)
      expect(broken).toMatchObject({ _tag: "Broken", break: { position: 2, field: "metadata", eventId: events[2]!.id } })
      expect(pulled).toBe(3) // stops reading at the first break
    }))

  it("the fold is incremental: initial/step/finish equals verify", () => {
    fc.assert(fc.property(chain(), ({ events, key }) => {
      let state = AuditChain.initial(key)
      for (const e of events) state = AuditChain.step(state, e)
      expect(AuditChain.finish(state)).toEqual(AuditChain.verify(key, events))
    }), { numRuns: 20 })
  })
})
