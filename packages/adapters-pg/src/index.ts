/**
 * @loan-ledger/adapters-pg: PostgreSQL implementations of the domain's
 * ports, the audited transaction, and the pools they run on. Each module is
 * exported as a namespace named for its concept; `PgLayers` composes them.
 */
export * as ActiveTransaction from "./ActiveTransaction.js"
export * as AdminSql from "./AdminSql.js"
export * as ChainLock from "./ChainLock.js"
export * as ConfidenceThresholds from "./ConfidenceThresholds.js"
export * as DatabaseConfig from "./DatabaseConfig.js"
export * as DatabaseFailure from "./DatabaseFailure.js"
export * as DatabaseHealth from "./DatabaseHealth.js"
export * as KeysetCursor from "./KeysetCursor.js"
export * as PgApiKeyRepository from "./PgApiKeyRepository.js"
export * as PgApplicationRepository from "./PgApplicationRepository.js"
export * as PgAuditLog from "./PgAuditLog.js"
export * as PgDocumentContentStore from "./PgDocumentContentStore.js"
export * as PgDocumentRepository from "./PgDocumentRepository.js"
export * as PgLayers from "./PgLayers.js"
export * as PgProcessingQueue from "./PgProcessingQueue.js"
export * as PgUnitOfWork from "./PgUnitOfWork.js"
export * as RuntimeSql from "./RuntimeSql.js"
export * as TransactionErrors from "./TransactionErrors.js"
export * as WorkflowCheckpoints from "./WorkflowCheckpoints.js"
