/**
 * 32 concurrent writers appending 100 events each, on one application's
 * chain and spread over 32 chains: every event is stored exactly once, every
 * chain verifies, and no two events of a chain share a prev_event_hash (a
 * fork would).
 */
import { describe, expect, layer } from "@effect/vitest"
import * as Array from "effect/Array"
import * as Effect from "effect/Effect"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import * as Ids from "@loan-ledger/domain/Ids"
import { UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import { maintenanceEvent } from "./support/Helpers.js"
import { asOwner, databaseLayer, verifyChain, withUseCases } from "./support/PgTestLayer.js"

const WRITERS = 32
const EVENTS_PER_WRITER = 100

/** Each writer appends its events one transaction at a time, all writers at once. */
const writeConcurrently = (chainOf: (writer: number, seq: number) => ChainKey.ChainKey) =>
  Effect.gen(function*() {
    const uow = yield* UnitOfWork
    const log = yield* AuditLog
    yield* Effect.forEach(
      Array.range(0, WRITERS - 1),
      (writer) =>
        Effect.forEach(Array.range(0, EVENTS_PER_WRITER - 1), (seq) => {
          const chain = chainOf(writer, seq)
          return uow.transaction([chain], log.append(maintenanceEvent(chain, { writer, seq })))
        }, { discard: true }),
      { concurrency: "unbounded", discard: true }
    )
  })

const checkChains = (chains: ReadonlyArray<ChainKey.ChainKey>) =>
  Effect.gen(function*() {
    const ids = chains.map((c) => ChainKey.applicationIdOf(c)!)
    const [stored] = yield* asOwner<{ events: number; distinct_writes: number }>(
      `SELECT count(*)::int AS events,
              count(DISTINCT (metadata->>'writer', metadata->>'seq'))::int AS distinct_writes
       FROM audit_events WHERE application_id = ANY($1::uuid[])`,
      [ids]
    )
    expect(stored).toEqual({ events: WRITERS * EVENTS_PER_WRITER, distinct_writes: WRITERS * EVENTS_PER_WRITER })

    const forks = yield* asOwner(
      `SELECT application_id, prev_event_hash FROM audit_events WHERE application_id = ANY($1::uuid[])
       GROUP BY application_id, prev_event_hash HAVING count(*) > 1`,
      [ids]
    )
    expect(forks).toEqual([])

    const verifications = yield* Effect.forEach(chains, verifyChain, { concurrency: 4 })
    for (const verification of verifications) expect(verification._tag).toBe("Intact")
    const total = verifications.reduce((n, v) => n + (v._tag === "Intact" ? v.events : 0), 0)
    expect(total).toBe(WRITERS * EVENTS_PER_WRITER)
  })

// A pool as large as the number of writers, so the waiting happens on the
// chain lock in PostgreSQL, not in the pool's queue.
const pool = { maxConnections: WRITERS, lockTimeoutMs: 60_000 }

layer(databaseLayer, { timeout: "60 seconds", excludeTestServices: true })("concurrent appends", (it) => {
  describe(`${WRITERS} writers x ${EVENTS_PER_WRITER} events`, () => {
    it.effect("on one application's chain: stored once each, one unbroken chain, no fork", () =>
      withUseCases(
        Effect.gen(function*() {
          const chain = ChainKey.application(Ids.newApplicationId())
          yield* writeConcurrently(() => chain)
          yield* checkChains([chain])
        }),
        pool
      ), 180_000)

    it.effect(`spread over ${WRITERS} chains: stored once each, every chain unbroken, no fork`, () =>
      withUseCases(
        Effect.gen(function*() {
          const chains = Array.makeBy(WRITERS, () => ChainKey.application(Ids.newApplicationId()))
          // Each writer moves on to the next chain with every event, so all
          // chains see all writers, and at any moment the writers contend.
          yield* writeConcurrently((writer, seq) => chains[(writer + seq) % WRITERS]!)
          yield* checkChains(chains)
        }),
        pool
      ), 180_000)
  })
})
