/**
 * What `/ready` and the production start-up check ask of the database, as
 * the runtime role sees it:
 *
 * - `ping`: one `SELECT 1` on the runtime pool within a deadline;
 * - `inspectRuntimeRole`: whether the runtime role could step around the
 *   audit guards (a superuser, BYPASSRLS, the owner of `audit_events`, or
 *   holding a direct write privilege on it) and how many seed keys are still
 *   usable (active and not expired; production refuses to start with any).
 *
 * The answers are facts; `productionProblems` turns them into the refusal
 * messages, and the shells decide what to do with them.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as DatabaseFailure from "./DatabaseFailure.js"

export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  reason: Schema.String
}) {
  override get message(): string {
    return `database unavailable: ${this.reason}`
  }
}

export class RuntimeRoleReport extends Schema.Class<RuntimeRoleReport>("RuntimeRoleReport")({
  role: Schema.String,
  superuser: Schema.Boolean,
  bypassRls: Schema.Boolean,
  ownsAuditEvents: Schema.Boolean,
  /** INSERT, UPDATE, DELETE or TRUNCATE on audit_events without SET ROLE. */
  writesAuditEventsDirectly: Schema.Boolean,
  usableSeedKeys: Schema.Int
}) {}

/** The reasons production must not start with this runtime role; empty when it may. */
export const productionProblems = (report: RuntimeRoleReport): ReadonlyArray<string> => [
  ...(report.superuser ? [`the runtime role ${report.role} is a superuser`] : []),
  ...(report.bypassRls ? [`the runtime role ${report.role} has BYPASSRLS`] : []),
  ...(report.ownsAuditEvents ? [`the runtime role ${report.role} owns audit_events`] : []),
  ...(report.writesAuditEventsDirectly
    ? [`the runtime role ${report.role} can write audit_events without the audited transaction`]
    : []),
  ...(report.usableSeedKeys > 0
    ? [`${report.usableSeedKeys} seed API key(s) are still active; revoke them (loan-ledger keys revoke ID)`]
    : [])
]

export class DatabaseHealth extends Context.Tag("@loan-ledger/adapters-pg/DatabaseHealth")<DatabaseHealth, {
  readonly ping: (timeout: Duration.DurationInput) => Effect.Effect<void, DatabaseUnavailable>
  readonly inspectRuntimeRole: Effect.Effect<RuntimeRoleReport, DatabaseUnavailable>
}>() {}

const ReportRow = Schema.Struct({
  role: Schema.String,
  superuser: Schema.Boolean,
  bypass_rls: Schema.Boolean,
  owns_audit_events: Schema.Boolean,
  writes_audit_events_directly: Schema.Boolean,
  usable_seed_keys: Schema.Int
})

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const unavailable = (operation: string) => (error: unknown) =>
    new DatabaseUnavailable({ reason: DatabaseFailure.fromError(operation, error).message })

  const ping = (timeout: Duration.DurationInput) =>
    sql`SELECT 1`.pipe(
      Effect.mapError(unavailable("ping")),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new DatabaseUnavailable({ reason: `no answer within ${Duration.format(timeout)}` })
      }),
      Effect.asVoid
    )

  // pg_has_role(..., 'USAGE') also catches ownership through an inherited
  // role membership, not only the role that is literally the owner.
  const inspectRuntimeRole = sql`
    SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
      pg_has_role(current_user, c.relowner, 'USAGE') AS owns_audit_events,
      has_table_privilege(current_user, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') AS writes_audit_events_directly,
      (SELECT count(*)::integer FROM api_keys
        WHERE is_seed AND is_active AND (expires_at IS NULL OR expires_at > now())) AS usable_seed_keys
    FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
    WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass`.pipe(
    Effect.mapError(unavailable("inspect the runtime role")),
    Effect.flatMap(([row]) =>
      Schema.decodeUnknown(ReportRow)(row).pipe(
        Effect.mapError(() => new DatabaseUnavailable({ reason: "the runtime role or audit_events could not be found" }))
      )
    ),
    Effect.map((row) =>
      RuntimeRoleReport.make({
        role: row.role,
        superuser: row.superuser,
        bypassRls: row.bypass_rls,
        ownsAuditEvents: row.owns_audit_events,
        writesAuditEventsDirectly: row.writes_audit_events_directly,
        usableSeedKeys: row.usable_seed_keys
      })
    )
  )

  return DatabaseHealth.of({ ping, inspectRuntimeRole })
})

export const layer: Layer.Layer<DatabaseHealth, never, SqlClient.SqlClient> = Layer.effect(DatabaseHealth, make)
