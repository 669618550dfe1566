/**
 * The routing thresholds of `confidence_thresholds` (migration 007): a
 * decision at or above `auto_approve_min` may be approved automatically, one
 * below `escalate_below` goes to a human. The set of names is closed; a
 * change is an UPDATE in a unit of work whose caller records a
 * `threshold_change` event on the system chain in the same transaction.
 *
 * A port of this package: the domain has no threshold rules yet (the agent
 * pipeline that applies them comes later).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { ConfidenceScore, ConfidenceScoreFromInput } from "@loan-ledger/domain/ConfidenceScore"
import { Timestamp, TimestampFromText } from "@loan-ledger/domain/Timestamp"
import type { Transaction } from "@loan-ledger/domain/UnitOfWork"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import * as Rows from "./Rows.js"
import * as TimestampText from "./TimestampText.js"

export const ThresholdName = Schema.Literal("auto_approve_min", "escalate_below")
export type ThresholdName = typeof ThresholdName.Type

export class Threshold extends Schema.Class<Threshold>("Threshold")({
  name: ThresholdName,
  /** Canonical three-decimal text, like every confidence in the audit trail. */
  value: ConfidenceScore,
  updatedAt: Timestamp
}) {}

const ThresholdRow = Schema.Struct({
  name: ThresholdName,
  value: ConfidenceScoreFromInput,
  updatedAt: TimestampFromText
})

export class ConfidenceThresholds extends Context.Tag("@loan-ledger/adapters-pg/ConfidenceThresholds")<
  ConfidenceThresholds,
  {
    readonly all: Effect.Effect<ReadonlyArray<Threshold>>
    /** Locks the row for the rest of the transaction and returns it (the old value for the audit event). */
    readonly findForUpdate: (name: ThresholdName) => Effect.Effect<Threshold, never, Transaction>
    readonly update: (
      name: ThresholdName,
      value: ConfidenceScore,
      updatedAt: Timestamp
    ) => Effect.Effect<void, never, Transaction>
  }
>() {}

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { all: thresholds } = Rows.reader(ThresholdRow, "confidence threshold", (row) => Threshold.make(row))
  const columns = sql`name, value::text AS value, ${TimestampText.select(sql, "updated_at", `"updatedAt"`)}`

  const all = sql`SELECT ${columns} FROM confidence_thresholds ORDER BY name`.pipe(
    statement("read confidence thresholds"),
    Effect.flatMap(thresholds)
  )

  const findForUpdate = (name: ThresholdName) =>
    sql`SELECT ${columns} FROM confidence_thresholds WHERE name = ${name} FOR UPDATE`.pipe(
      statement("lock confidence threshold"),
      Effect.flatMap(thresholds),
      Effect.flatMap(([found]) =>
        found === undefined ? Effect.dieMessage(`confidence threshold ${name} is missing`) : Effect.succeed(found)
      ),
      requireTransaction("reading a threshold FOR UPDATE")
    )

  const update = (name: ThresholdName, value: ConfidenceScore, updatedAt: Timestamp) =>
    sql`UPDATE confidence_thresholds SET value = ${value}::numeric, updated_at = ${updatedAt}::timestamptz
      WHERE name = ${name} RETURNING name`.pipe(
      statement("update confidence threshold"),
      Effect.flatMap((rows) =>
        rows.length === 1 ? Effect.void : Effect.dieMessage(`confidence threshold ${name} is missing`)
      ),
      requireTransaction("changing a threshold")
    )

  return ConfidenceThresholds.of({ all, findForUpdate, update })
})

export const layer: Layer.Layer<ConfidenceThresholds, never, SqlClient.SqlClient> = Layer.effect(
  ConfidenceThresholds,
  make
)
