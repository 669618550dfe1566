/**
 * What the adapter knows about the transaction `PgUnitOfWork` opened: the
 * token it stored in the transaction (so a statement can prove it runs in
 * that very transaction, on that very connection), the chains it locked,
 * and whether a statement inside it failed.
 *
 * The last point matters because PostgreSQL answers COMMIT of a failed
 * transaction with a silent ROLLBACK: if a use case swallowed a statement's
 * defect and went on, the operation would report success and nothing would
 * be stored. Every statement therefore runs through `statement`, which marks
 * the transaction as aborted, and the unit of work refuses to report success
 * for an aborted transaction.
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ChainKey } from "@loan-ledger/domain/ChainKey"
import * as DatabaseFailure from "./DatabaseFailure.js"
import { TransactionRequired } from "./TransactionErrors.js"

export interface ActiveTransactionState {
  /** Random per transaction; also stored with `set_config(TOKEN_SETTING, token, true)`. */
  readonly token: string
  /** The chains whose advisory locks this transaction holds, in lock order. */
  readonly chains: ReadonlyArray<ChainKey>
  /** Set when a statement failed or was interrupted: the transaction can only roll back. */
  aborted: boolean
  /** The chain whose lock is being waited for, to name it in `ChainBusy`. */
  waitingFor: ChainKey | undefined
}

export class ActiveTransaction extends Context.Tag("@loan-ledger/adapters-pg/ActiveTransaction")<
  ActiveTransaction,
  ActiveTransactionState
>() {}

/**
 * A transaction-local custom setting: it reverts at COMMIT and ROLLBACK, so
 * it is visible only inside the transaction that set it (and survives
 * PgBouncer's transaction pooling, unlike anything kept per session).
 */
export const TOKEN_SETTING = "loan_ledger.transaction"

const markAborted = Effect.serviceOption(ActiveTransaction).pipe(
  Effect.map(Option.map((tx) => {
    tx.aborted = true
  }))
)

/**
 * Runs one statement of a repository: a failure becomes a `DatabaseFailure`
 * defect, and inside a unit of work a failed or interrupted statement marks
 * the transaction as aborted.
 */
export const statement = (operation: string) => <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, never, R> =>
  effect.pipe(
    Effect.tapError(() => markAborted),
    Effect.onInterrupt(() => markAborted),
    DatabaseFailure.orDie(operation)
  )

/**
 * The run-time half of a port's `Transaction` requirement: `effect` runs
 * only inside a transaction of the unit of work (a test or a shell could
 * provide a hand-made `Transaction`; this it cannot fake).
 */
export const requireTransaction = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(ActiveTransaction),
    Option.match({
      onNone: () => Effect.die(new TransactionRequired({ operation })),
      onSome: () => effect
    })
  )
