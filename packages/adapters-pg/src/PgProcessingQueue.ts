/**
 * `ProcessingQueue` on `workflow.checkpoints`: in this phase a hand-over to
 * processing is recorded, in the same transaction as the status change and
 * its audit events, and nothing consumes it yet. Because the row is written
 * in that transaction, a submission is never lost and never queued twice.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ProcessingQueue, type ProcessingRequest } from "@loan-ledger/domain/ProcessingQueue"
import { requireTransaction, statement } from "./ActiveTransaction.js"

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const enqueue = (request: ProcessingRequest) =>
    sql`INSERT INTO workflow.checkpoints (application_id, reason, requested_by, requested_at)
      VALUES (${request.applicationId}, ${request.reason}, ${request.requestedBy},
        ${request.requestedAt}::timestamptz)`.pipe(
      statement("record processing checkpoint"),
      Effect.asVoid,
      requireTransaction("handing an application to processing")
    )

  return ProcessingQueue.of({ enqueue })
})

export const layer: Layer.Layer<ProcessingQueue, never, SqlClient.SqlClient> = Layer.effect(ProcessingQueue, make)
