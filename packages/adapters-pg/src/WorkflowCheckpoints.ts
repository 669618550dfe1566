/**
 * Reading `workflow.checkpoints`: the hand-overs to processing recorded by
 * PgProcessingQueue, oldest first. A port of this package (the domain only
 * writes checkpoints in this phase); operators, tests and the future agent
 * pipeline read them here.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { ApplicationId } from "@loan-ledger/domain/Ids"
import { ProcessingReason } from "@loan-ledger/domain/ProcessingQueue"
import { TimestampFromText } from "@loan-ledger/domain/Timestamp"
import { statement } from "./ActiveTransaction.js"
import * as Rows from "./Rows.js"
import * as TimestampText from "./TimestampText.js"

export class Checkpoint extends Schema.Class<Checkpoint>("Checkpoint")({
  id: Schema.UUID,
  applicationId: ApplicationId,
  reason: ProcessingReason,
  requestedBy: Schema.String,
  requestedAt: TimestampFromText
}) {}

export class WorkflowCheckpoints extends Context.Tag("@loan-ledger/adapters-pg/WorkflowCheckpoints")<
  WorkflowCheckpoints,
  {
    readonly forApplication: (applicationId: ApplicationId) => Effect.Effect<ReadonlyArray<Checkpoint>>
  }
>() {}

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { all } = Rows.reader(Checkpoint, "workflow checkpoint")

  const forApplication = (applicationId: ApplicationId) =>
    sql`SELECT id::text AS "id", application_id::text AS "applicationId", reason, requested_by AS "requestedBy",
        ${TimestampText.select(sql, "requested_at", `"requestedAt"`)}
      FROM workflow.checkpoints WHERE application_id = ${applicationId}
      ORDER BY checkpoints.requested_at, checkpoints.id`.pipe(statement("read workflow checkpoints"), Effect.flatMap(all))

  return WorkflowCheckpoints.of({ forApplication })
})

export const layer: Layer.Layer<WorkflowCheckpoints, never, SqlClient.SqlClient> = Layer.effect(
  WorkflowCheckpoints,
  make
)
