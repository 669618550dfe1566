/**
 * Hand-over to processing. In this phase the adapter records the request in
 * `workflow.checkpoints` and nothing moves the application beyond
 * `processing`; the agent pipeline plugs in here later. The request is
 * written in the same transaction as the status change, so a submission is
 * never lost nor queued twice.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ApplicationId } from "./Ids.js"
import { Timestamp } from "./Timestamp.js"
import type { Transaction } from "./UnitOfWork.js"

export const ProcessingReason = Schema.Literal("submitted", "retry")
export type ProcessingReason = typeof ProcessingReason.Type

export class ProcessingRequest extends Schema.Class<ProcessingRequest>("ProcessingRequest")({
  applicationId: ApplicationId,
  reason: ProcessingReason,
  /** The actor id (API key id or operator name). */
  requestedBy: Schema.String,
  requestedAt: Timestamp
}) {}

export class ProcessingQueue extends Context.Tag("@loan-ledger/domain/ProcessingQueue")<ProcessingQueue, {
  readonly enqueue: (request: ProcessingRequest) => Effect.Effect<void, never, Transaction>
}>() {}
