/**
 * `UnitOfWork` on PostgreSQL: one `sql.withTransaction` per operation, in
 * this order (ARCHITECTURE.md, "The audited transaction"):
 *
 * 1. refuse unless the transaction runs at READ COMMITTED: each statement
 *    then takes a fresh snapshot, so the chain head read after the lock
 *    sees the commit of the previous lock holder (a snapshot taken before
 *    the lock, as under REPEATABLE READ, could not, and the chain would
 *    fork);
 * 2. `SET LOCAL lock_timeout` (as `set_config(..., true)`) to
 *    `LOCK_TIMEOUT_MS`, so no lock wait, advisory or row, is unbounded;
 * 3. the advisory lock of every chain, in `ChainKey.lockOrder` (two
 *    operations needing the same chains can never deadlock);
 * 4. the operation itself: rows read FOR UPDATE, state checks, writes,
 *    audit appends; all of it commits or rolls back together.
 *
 * A lock not obtained in time (SQLSTATE 55P03, on a chain lock or a row
 * lock) becomes the domain's `ChainBusy` after the rollback: nothing of the
 * operation is written and the caller may retry. Everything set here is
 * transaction-scoped, so the pooled connection comes back clean and
 * PgBouncer in transaction mode works.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { ChainBusy } from "@loan-ledger/domain/Errors"
import { Transaction, UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import { randomUUID } from "node:crypto"
import { ActiveTransaction, type ActiveTransactionState, statement, TOKEN_SETTING } from "./ActiveTransaction.js"
import * as ChainLock from "./ChainLock.js"
import { DatabaseConfig } from "./DatabaseConfig.js"
import * as DatabaseFailure from "./DatabaseFailure.js"
import { IsolationLevelRefused, NestedTransactionRefused, TransactionAborted } from "./TransactionErrors.js"

export interface Options {
  readonly lockTimeoutMs: number
}

const isSqlError = (error: unknown): error is SqlError => error instanceof SqlError

export const make = (options: Options): Effect.Effect<UnitOfWork["Type"], never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const lockTimeout = String(options.lockTimeoutMs)

    const begin = (state: ActiveTransactionState) =>
      Effect.gen(function*() {
        const [settings] = yield* sql<{ readonly isolation: string }>`
          SELECT current_setting('transaction_isolation') AS isolation,
                 set_config('lock_timeout', ${lockTimeout}, true) AS lock_timeout,
                 set_config(${TOKEN_SETTING}, ${state.token}, true) AS token`.pipe(
          statement("begin the audited transaction")
        )
        const isolation = settings?.isolation ?? "unknown"
        if (isolation !== "read committed") return yield* Effect.die(new IsolationLevelRefused({ isolation }))
        for (const chain of state.chains) {
          state.waitingFor = chain
          yield* ChainLock.acquire(sql, chain)
        }
        state.waitingFor = undefined
      })

    const busyChain = (state: ActiveTransactionState): string =>
      state.waitingFor !== undefined
        ? ChainKey.toString(state.waitingFor)
        : state.chains.length > 0
        ? state.chains.map(ChainKey.toString).join(",")
        : "none"

    const fresh = <A, E, R>(
      chains: ReadonlyArray<ChainKey.ChainKey>,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | ChainBusy, Exclude<R, Transaction>> => {
      const state: ActiveTransactionState = { token: randomUUID(), chains, aborted: false, waitingFor: undefined }
      const body = Effect.gen(function*() {
        yield* begin(state)
        const result = yield* effect.pipe(
          Effect.provideService(Transaction, Transaction.of({ chains })),
          Effect.provideService(ActiveTransaction, state)
        )
        // Returning a defect here makes withTransaction roll back instead of
        // sending a COMMIT that PostgreSQL would quietly turn into ROLLBACK.
        if (state.aborted) return yield* Effect.die(new TransactionAborted())
        return result
      })
      return sql.withTransaction(body).pipe(
        // BEGIN or COMMIT themselves failed (no connection, server gone).
        Effect.catchIf(isSqlError, (error) => Effect.die(DatabaseFailure.fromError("run the transaction", error))),
        Effect.catchAllCause((cause): Effect.Effect<never, E | ChainBusy> =>
          Option.match(DatabaseFailure.find(cause), {
            onSome: (failure) =>
              DatabaseFailure.isLockTimeout(failure)
                ? Effect.fail(new ChainBusy({ chain: busyChain(state) }))
                : Effect.failCause(cause),
            onNone: () => Effect.failCause(cause)
          })
        )
      )
    }

    const transaction = <A, E, R>(
      chains: ReadonlyArray<ChainKey.ChainKey>,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | ChainBusy, Exclude<R, Transaction>> => {
      const ordered = ChainKey.lockOrder(chains)
      return Effect.flatMap(Effect.serviceOption(ActiveTransaction), (outer) => {
        if (Option.isSome(outer)) {
          // Joining is safe only when the outer transaction already holds
          // every lock: taking one now would break the lock order.
          const missing = ordered.filter((c) => !outer.value.chains.some((held) => ChainKey.equals(held, c)))
          return missing.length > 0
            ? Effect.die(
              new NestedTransactionRefused({
                reason: `the enclosing transaction does not hold the lock of ${missing.map(ChainKey.toString).join(", ")}`
              })
            )
            : Effect.provideService(effect, Transaction, Transaction.of({ chains: outer.value.chains }))
        }
        return Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (connection) =>
          Option.isSome(connection)
            ? Effect.die(
              new NestedTransactionRefused({ reason: "a SQL transaction the unit of work did not open is already open" })
            )
            : fresh(ordered, effect))
      })
    }

    return UnitOfWork.of({ transaction })
  })

export const layerWith = (options: Options): Layer.Layer<UnitOfWork, never, SqlClient.SqlClient> =>
  Layer.effect(UnitOfWork, make(options))

/** `LOCK_TIMEOUT_MS` from `DatabaseConfig`. */
export const layer: Layer.Layer<UnitOfWork, never, SqlClient.SqlClient | DatabaseConfig> = Layer.unwrapEffect(
  Effect.map(DatabaseConfig, (config) => layerWith({ lockTimeoutMs: config.lockTimeoutMs }))
)
