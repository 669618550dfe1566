/**
 * Readiness: can this instance serve requests that need PostgreSQL right
 * now? Load balancers ask often, so the answer is bounded by a short
 * timeout: a database that hangs is as unready as one that refuses.
 *
 * `DatabasePing` is the port; the PostgreSQL adapter supplies the probe
 * (`SELECT 1` on the runtime pool) and Layers.ts wires it in.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

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

/** A ping built from any effect, e.g. the adapter's `SELECT 1`. */
export const layerFrom = <E, R>(ping: Effect.Effect<unknown, E, R>): Layer.Layer<DatabasePing, never, R> =>
  Layer.effect(
    DatabasePing,
    Effect.map(Effect.context<R>(), (context) => ({ ping: Effect.asVoid(Effect.provide(ping, context)) }))
  )
