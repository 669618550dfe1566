/**
 * The owner-only statements of `seed` that no port of the system offers,
 * because nothing but the seed may ever do them: restoring a missing routing
 * threshold (the runtime role has no INSERT there) and removing whole audit
 * chains.
 *
 * Removal is the one place where audit events are deleted. It runs inside a
 * unit-of-work transaction of the owner that holds the locks of the system
 * chain and of every chain it removes, and it lifts migration 006's row
 * guard only for the duration of its own DELETE:
 *
 *   ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_update_delete
 *   DELETE ... WHERE application_id IN (<seed applications>)
 *   ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_refuse_update_delete
 *
 * ALTER TABLE is transactional and takes an ACCESS EXCLUSIVE lock on
 * audit_events: no other session can write (or read) the table until this
 * transaction ends, and none ever sees the guard disabled, because the
 * re-enabled state is what commits (checked in the catalog before COMMIT).
 * Only the table's owner may ALTER it, so the runtime role cannot use this
 * path. The TRUNCATE guard is never touched.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import type { Transaction } from "@loan-ledger/domain/UnitOfWork"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** The BEFORE UPDATE OR DELETE row trigger of migration 006. */
export const ROW_GUARD = "audit_events_refuse_update_delete"

/** A routing threshold as migration 007 inserts it. */
export interface Threshold {
  readonly name: string
  readonly value: string
}

export interface Removed {
  readonly auditEvents: number
  readonly documents: number
  readonly checkpoints: number
  readonly applications: number
  readonly keysDeactivated: ReadonlyArray<string>
}

export interface Presence {
  readonly applications: number
  readonly auditEvents: number
  readonly activeKeys: number
}

export class SeedStore extends Context.Tag("@loan-ledger/adapters-pg/SeedStore")<SeedStore, {
  /** What of the seed is still there (for "nothing to remove"). */
  readonly present: (applicationIds: ReadonlyArray<string>, keyIds: ReadonlyArray<string>) => Effect.Effect<Presence>
  /** Inserts those of `thresholds` that are missing; returns the names restored. */
  readonly restoreThresholds: (thresholds: ReadonlyArray<Threshold>) => Effect.Effect<ReadonlyArray<string>>
  /** Deletes the applications and their documents, checkpoints and audit chains; deactivates the keys. */
  readonly remove: (
    applicationIds: ReadonlyArray<string>,
    keyIds: ReadonlyArray<string>
  ) => Effect.Effect<Removed, never, Transaction>
}>() {}

const count = (rows: ReadonlyArray<{ readonly count: string | number | bigint }>) => Number(rows[0]?.count ?? 0)

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()

  const restoreThresholds = (thresholds: ReadonlyArray<Threshold>) => Effect.gen(function*() {
    const values = thresholds.map((t) => sql`(${t.name}, ${t.value}::numeric)`)
    // ON CONFLICT DO NOTHING: an existing threshold (possibly changed on purpose) is left exactly as it is.
    const rows = yield* sql<{ readonly name: string }>`INSERT INTO confidence_thresholds (name, value)
      VALUES ${sql.csv(values)} ON CONFLICT (name) DO NOTHING RETURNING name`
    return rows.map((r) => r.name)
  }).pipe(statement("restore confidence thresholds"))

  const remove = (applicationIds: ReadonlyArray<string>, keyIds: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      if (applicationIds.length === 0) return yield* Effect.dieMessage("seed removal needs at least one application id")
      const apps = sql.in(applicationIds)
      yield* sql`ALTER TABLE audit_events DISABLE TRIGGER ${sql(ROW_GUARD)}`
      const auditEvents = count(yield* sql<{ count: string }>`WITH gone AS (
          DELETE FROM audit_events WHERE application_id IN ${apps} RETURNING 1) SELECT count(*) FROM gone`)
      yield* sql`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER ${sql(ROW_GUARD)}`
      const [guard] = yield* sql<{ readonly enabled: string }>`SELECT tgenabled::text AS enabled FROM pg_catalog.pg_trigger
        WHERE tgrelid = 'public.audit_events'::regclass AND tgname = ${ROW_GUARD}`
      if (guard?.enabled !== "A") return yield* Effect.dieMessage("the audit row guard is not re-enabled; rolling back")

      // Reverse dependency order: contents and checkpoints, documents, then the applications.
      yield* sql`DELETE FROM document_contents WHERE document_id IN (
          SELECT id FROM documents WHERE application_id IN ${apps})`
      const documents = count(yield* sql<{ count: string }>`WITH gone AS (
          DELETE FROM documents WHERE application_id IN ${apps} RETURNING 1) SELECT count(*) FROM gone`)
      const checkpoints = count(yield* sql<{ count: string }>`WITH gone AS (
          DELETE FROM workflow.checkpoints WHERE application_id IN ${apps} RETURNING 1) SELECT count(*) FROM gone`)
      const applications = count(yield* sql<{ count: string }>`WITH gone AS (
          DELETE FROM loan_applications WHERE id IN ${apps} RETURNING 1) SELECT count(*) FROM gone`)
      // Deactivated, never deleted: the system chain and other rows refer to them.
      const keysDeactivated = keyIds.length === 0 ? [] : (yield* sql<{ readonly id: string }>`UPDATE api_keys
          SET is_active = false WHERE id IN ${sql.in(keyIds)} AND is_seed AND is_active RETURNING id::text AS id`)
        .map((r) => r.id)
        .sort()
      return { auditEvents, documents, checkpoints, applications, keysDeactivated } satisfies Removed
    }).pipe(statement("remove the seed data"), requireTransaction("removing the seed data"))

  const present = (applicationIds: ReadonlyArray<string>, keyIds: ReadonlyArray<string>) =>
    sql<{ readonly applications: string; readonly audit_events: string; readonly active_keys: string }>`SELECT
        (SELECT count(*) FROM loan_applications WHERE id IN ${sql.in(applicationIds)}) AS applications,
        (SELECT count(*) FROM audit_events WHERE application_id IN ${sql.in(applicationIds)}) AS audit_events,
        (SELECT count(*) FROM api_keys WHERE id IN ${sql.in(keyIds)} AND is_seed AND is_active) AS active_keys`.pipe(
      statement("look for seed data"),
      Effect.map(([row]) => ({
        applications: Number(row?.applications ?? 0),
        auditEvents: Number(row?.audit_events ?? 0),
        activeKeys: Number(row?.active_keys ?? 0)
      }))
    )

  return SeedStore.of({ present, restoreThresholds, remove })
})

export const layer: Layer.Layer<SeedStore, never, SqlClient.SqlClient> = Layer.effect(SeedStore, make)
