/**
 * The audit hash chain: the canonical encoding of a stored event, its hash,
 * and verification of a chain as a pure incremental fold.
 *
 * `prev_event_hash` of an event is SHA-256 over the canonical encoding of the
 * previous stored event of the same chain (all its columns, including its
 * id, created_at and its own prev_event_hash); the first event of a chain
 * holds the sentinel "0" * 64. The exact encoding is specified in
 * docs/audit-chain.md so that auditors can re-implement it.
 *
 * What a chain cannot show: the last event is covered by no successor, so a
 * change to it, or the removal of a tail, or a rewritten suffix, are
 * invisible from inside the database. `finish` returns the head hash so it
 * can be anchored outside (a later step).
 */
import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type AuditEvent, type AuditEventRow, fromRow } from "./AuditEvent.js"
import * as CanonicalJson from "./CanonicalJson.js"
import * as ChainKey from "./ChainKey.js"
import { AuditChainBroken } from "./Errors.js"
import { type AuditEventId, compareAuditEventIds } from "./Ids.js"

/** `prev_event_hash` of the first event of every chain. */
export const GENESIS: string = "0".repeat(64)

/**
 * The canonical text of a stored event: a JSON object of all fifteen
 * columns, keys in byte order, no whitespace; `id` and `confidence_score` as
 * strings, `created_at` in canonical UTC form, absent values as `null`,
 * `metadata` in canonical JSON.
 */
export const canonicalText = (event: AuditEvent): string =>
  CanonicalJson.encode({
    actor_id: event.actorId,
    actor_role: event.actorRole,
    actor_type: event.actorType,
    agent_name: event.agentName,
    application_id: event.applicationId,
    confidence_score: event.confidenceScore,
    created_at: event.createdAt,
    event_type: event.eventType,
    id: event.id,
    input_data_hash: event.inputDataHash,
    metadata: event.metadata,
    new_state: event.newState,
    prev_event_hash: event.prevEventHash,
    previous_state: event.previousState,
    reasoning: event.reasoning
  })

/** The UTF-8 bytes that are hashed. */
export const canonicalBytes = (event: AuditEvent): Uint8Array => new TextEncoder().encode(canonicalText(event))

/** Lower-case hex SHA-256 of the canonical bytes. */
export const hash = (event: AuditEvent): string => createHash("sha256").update(canonicalBytes(event)).digest("hex")

/** The `prev_event_hash` for the next event of a chain whose head is `head`. */
export const nextPrevHash = (head: Option.Option<AuditEvent>): string =>
  Option.match(head, { onNone: () => GENESIS, onSome: hash })

// ---------------------------------------------------------------------------
// Verification

/** The first place where a chain does not hold. */
export interface ChainBreak {
  /** The first event whose check failed (its id as read, possibly malformed). */
  readonly eventId: string
  /** Zero-based position of that event in the walk. */
  readonly position: number
  /** The column that mismatched. */
  readonly field: string
  /** What mismatched, in words (never a PII value: events hold none). */
  readonly detail: string
}

export type Verification =
  | {
    readonly _tag: "Intact"
    readonly chain: ChainKey.ChainKey
    readonly events: number
    /** Id and hash of the last event; anchoring them outside the database would cover the tail. */
    readonly head: Option.Option<{ readonly id: AuditEventId; readonly hash: string }>
  }
  | {
    readonly _tag: "Broken"
    readonly chain: ChainKey.ChainKey
    /** Events checked, including the one that broke. */
    readonly events: number
    readonly break: ChainBreak
  }

/** The fold's state: constant size whatever the length of the chain. */
export interface VerifyState {
  readonly chain: ChainKey.ChainKey
  readonly events: number
  readonly head: Option.Option<{ readonly id: AuditEventId; readonly hash: string }>
  readonly break: Option.Option<ChainBreak>
}

export const initial = (chain: ChainKey.ChainKey): VerifyState => ({
  chain,
  events: 0,
  head: Option.none(),
  break: Option.none()
})

/** True once a break was found: the caller may stop reading. */
export const isBroken = (state: VerifyState): boolean => Option.isSome(state.break)

const broken = (state: VerifyState, eventId: string, field: string, detail: string): VerifyState => ({
  ...state,
  events: state.events + 1,
  break: Option.some({ eventId, position: state.events, field, detail })
})

/**
 * Checks the next event of the chain, in id order: it belongs to the chain,
 * its id is greater than the previous one, and its `prev_event_hash` is the
 * hash of the previous event (the sentinel for the first). After a break the
 * state no longer changes.
 */
export const step = (state: VerifyState, event: AuditEvent): VerifyState => {
  if (Option.isSome(state.break)) return state
  const expectedChain = ChainKey.applicationIdOf(state.chain)
  if (event.applicationId !== expectedChain) {
    return broken(
      state,
      event.id,
      "application_id",
      `application_id ${event.applicationId ?? "null"} does not belong to chain ${ChainKey.toString(state.chain)}`
    )
  }
  if (Option.isSome(state.head) && compareAuditEventIds(event.id, state.head.value.id) <= 0) {
    return broken(state, event.id, "id", `id ${event.id} does not follow id ${state.head.value.id}`)
  }
  const expected = Option.match(state.head, { onNone: () => GENESIS, onSome: (h) => h.hash })
  if (event.prevEventHash !== expected) {
    return broken(
      state,
      event.id,
      "prev_event_hash",
      Option.match(state.head, {
        onNone: () => "prev_event_hash of the first event of the chain is not the sentinel",
        onSome: (h) => `prev_event_hash does not match the hash of event ${h.id}`
      })
    )
  }
  return {
    ...state,
    events: state.events + 1,
    head: Option.some({ id: event.id, hash: hash(event) })
  }
}

/**
 * Like `step`, for a row as the database returns it. A row that does not
 * decode (a float in metadata, a malformed timestamp) breaks the chain there.
 */
export const stepRow = (state: VerifyState, row: AuditEventRow): VerifyState => {
  if (Option.isSome(state.break)) return state
  return Either.match(fromRow(row), {
    onLeft: (error) => {
      const first = error.issues[0]
      return broken(state, String(row.id), first.field, `${first.field} ${first.message}`)
    },
    onRight: (event) => step(state, event)
  })
}

export const finish = (state: VerifyState): Verification =>
  Option.match(state.break, {
    onNone: () => ({ _tag: "Intact", chain: state.chain, events: state.events, head: state.head }),
    onSome: (b) => ({ _tag: "Broken", chain: state.chain, events: state.events, break: b })
  })

/** Verifies events already in memory (tests, small chains). */
export const verify = (chain: ChainKey.ChainKey, events: Iterable<AuditEvent>): Verification => {
  let state = initial(chain)
  for (const event of events) {
    state = step(state, event)
    if (isBroken(state)) break
  }
  return finish(state)
}

/** Verifies a chain streamed in id order, in constant memory; stops reading at the first break. */
export const verifyRows = <E, R>(
  chain: ChainKey.ChainKey,
  rows: Stream.Stream<AuditEventRow, E, R>
): Effect.Effect<Verification, E, R> =>
  Effect.map(
    Stream.runFoldWhile(rows, initial(chain), (s) => !isBroken(s), stepRow),
    finish
  )

/** The typed error for a broken verification, for callers that want to fail. */
export const toError = (verification: Verification): Option.Option<AuditChainBroken> =>
  verification._tag === "Intact"
    ? Option.none()
    : Option.some(
      new AuditChainBroken({
        chain: ChainKey.toString(verification.chain),
        eventId: verification.break.eventId,
        field: verification.break.field,
        detail: verification.break.detail
      })
    )
