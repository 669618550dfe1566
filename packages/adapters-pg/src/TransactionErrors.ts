/**
 * Broken invariants of the audited transaction. They are programming or
 * configuration errors, not outcomes a caller could handle, so the adapter
 * raises them as defects (a 500 / exit 3 with a clear message) after
 * rolling back: nothing of the operation is written.
 */
import * as Schema from "effect/Schema"

/**
 * The transaction does not run at READ COMMITTED (e.g. the role or database
 * has `default_transaction_isolation = 'repeatable read'`). Under a snapshot
 * taken before the chain lock, the chain head read after it could be stale
 * and two writers would fork the chain, so the operation is refused.
 */
export class IsolationLevelRefused extends Schema.TaggedError<IsolationLevelRefused>()("IsolationLevelRefused", {
  isolation: Schema.String
}) {
  override get message(): string {
    return `audited transactions need READ COMMITTED isolation, this one runs at ${this.isolation}; ` +
      "check default_transaction_isolation of the runtime role and database"
  }
}

/**
 * `AuditLog.append` outside a transaction of `PgUnitOfWork`, on another
 * connection than that transaction's, or for a chain whose lock the
 * transaction does not hold.
 */
export class AuditAppendRefused extends Schema.TaggedError<AuditAppendRefused>()("AuditAppendRefused", {
  chain: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `audit append to chain ${this.chain} refused: ${this.reason}`
  }
}

/**
 * `UnitOfWork.transaction` inside another transaction that did not take all
 * the locks the inner one needs (taking them now could deadlock against the
 * lock order), or inside a transaction the unit of work did not open.
 */
export class NestedTransactionRefused extends Schema.TaggedError<NestedTransactionRefused>()(
  "NestedTransactionRefused",
  { reason: Schema.String }
) {
  override get message(): string {
    return `nested transaction refused: ${this.reason}`
  }
}

/**
 * A statement inside the transaction failed and the operation went on as if
 * it had not (it handled the defect). PostgreSQL would turn the COMMIT into a
 * ROLLBACK without an error; the unit of work reports the failure instead.
 */
export class TransactionAborted extends Schema.TaggedError<TransactionAborted>()("TransactionAborted", {}) {
  override get message(): string {
    return "a statement failed inside the transaction; the transaction was rolled back and nothing was written"
  }
}

/**
 * A write or a locking read (one whose port requires `Transaction`) ran
 * outside a transaction of the unit of work: its lock or its write would
 * not be covered by the chain lock, nor commit with the audit events.
 */
export class TransactionRequired extends Schema.TaggedError<TransactionRequired>()("TransactionRequired", {
  operation: Schema.String
}) {
  override get message(): string {
    return `${this.operation} must run inside UnitOfWork.transaction`
  }
}
