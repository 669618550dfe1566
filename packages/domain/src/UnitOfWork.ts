/**
 * Transactions. Every operation that writes runs inside
 * `UnitOfWork.transaction(chains, effect)`: the adapter takes the audit-chain
 * locks of `chains` first (in `ChainKey.lockOrder`, so that two operations
 * can never deadlock), then runs `effect`, which reads its rows FOR UPDATE,
 * checks state, writes and appends its audit events; all of it commits or
 * rolls back together.
 *
 * Writes and audit appends require the `Transaction` capability in their
 * requirements, which only `UnitOfWork.transaction` provides: the compiler
 * refuses an append outside a transaction, and adapters check again at run
 * time (e.g. that the event's chain is among the locked ones).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ChainKey from "./ChainKey.js"
import type { ChainBusy } from "./Errors.js"

export class Transaction extends Context.Tag("@loan-ledger/domain/Transaction")<Transaction, {
  /** The chains whose locks this transaction holds, in lock order. */
  readonly chains: ReadonlyArray<ChainKey.ChainKey>
}>() {}

export class UnitOfWork extends Context.Tag("@loan-ledger/domain/UnitOfWork")<UnitOfWork, {
  /**
   * Runs `effect` in one transaction holding the locks of `chains`. Fails
   * with ChainBusy when a lock is not obtained in time (nothing was written;
   * the caller may retry).
   */
  readonly transaction: <A, E, R>(
    chains: ReadonlyArray<ChainKey.ChainKey>,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ChainBusy, Exclude<R, Transaction>>
}>() {}

export const transaction = <A, E, R>(
  chains: ReadonlyArray<ChainKey.ChainKey>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ChainBusy, Exclude<R, Transaction> | UnitOfWork> =>
  Effect.flatMap(UnitOfWork, (uow) => uow.transaction(chains, effect))

/** True when the current transaction holds the lock of `chain`. */
export const holdsLock = (tx: Context.Tag.Service<Transaction>, chain: ChainKey.ChainKey): boolean =>
  tx.chains.some((c) => ChainKey.equals(c, chain))
