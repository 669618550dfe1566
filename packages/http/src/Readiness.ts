/**
 * Readiness: can this instance serve requests that need PostgreSQL right
 * now? Load balancers ask often, so the answer is bounded by a short
 * timeout: a database that hangs is as unready as one that refuses.
 *
 * `DatabasePing` is the port; the PostgreSQL adapter supplies the probe
 * (`DatabaseHealth.ping`: `SELECT 1` on the runtime pool) and Main.ts wires
 * it in.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export class DatabasePing extends Context.Tag("@loan-ledger/http/DatabasePing")<
  DatabasePing,
  {
    /** Succeeds when the database answered a trivial query. */
    readonly ping: Effect.Effect<void, unknown>
  }
>() {}

export const TIMEOUT = Duration.seconds(2)

export type Check = "ok" | "unreachable"

export interface Report {
  readonly ready: boolean
  readonly database: Check
}

export const check: Effect.Effect<Report, never, DatabasePing> = Effect.flatMap(DatabasePing, ({ ping }) =>
  ping.pipe(
    Effect.timeoutFail({ duration: TIMEOUT, onTimeout: () => "timeout" as const }),
    Effect.match({
      onFailure: (): Report => ({ ready: false, database: "unreachable" }),
      onSuccess: (): Report => ({ ready: true, database: "ok" })
    }),
    // A defect in the probe (a broken pool) means "not ready", not a 500.
    Effect.catchAllDefect(() => Effect.succeed<Report>({ ready: false, database: "unreachable" }))
  )
)
