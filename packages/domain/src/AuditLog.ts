/**
 * The audit log port: append inside a transaction, query, and read a chain
 * for verification.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { AuditEvent, AuditEventInput, AuditEventRow, EventType } from "./AuditEvent.js"
import type { ChainKey } from "./ChainKey.js"
import type { ValidationError } from "./Errors.js"
import type { Page, PageRequest } from "./Pagination.js"
import type { Timestamp } from "./Timestamp.js"
import type { Transaction } from "./UnitOfWork.js"

export interface AuditQuery {
  readonly chain: ChainKey
  readonly eventType: Option.Option<EventType>
  /** Inclusive. */
  readonly from: Option.Option<Timestamp>
  /** Exclusive. */
  readonly to: Option.Option<Timestamp>
  readonly page: PageRequest
}

export class AuditLog extends Context.Tag("@loan-ledger/domain/AuditLog")<AuditLog, {
  /**
   * Appends `input` to its chain (`ChainKey.of(input.applicationId)`), whose
   * lock the current transaction must hold (a defect otherwise). The adapter
   * reads the chain head, sets `prev_event_hash = AuditChain.nextPrevHash(head)`
   * and lets the database set `id` and `created_at`; it returns the event as
   * stored.
   */
  readonly append: (input: AuditEventInput) => Effect.Effect<AuditEvent, never, Transaction>
  /** Events of one chain in id order, filtered; newest-last. */
  readonly query: (query: AuditQuery) => Effect.Effect<Page<AuditEvent>, ValidationError>
  /** Every row of a chain in id order, streamed (for `AuditChain.verifyRows`). */
  readonly readChain: (chain: ChainKey) => Stream.Stream<AuditEventRow>
  /** Every chain that has at least one event: the system chain and each application's. */
  readonly chains: Stream.Stream<ChainKey>
}>() {}
