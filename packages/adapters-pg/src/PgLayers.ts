/**
 * The adapter's composition, for the shells:
 *
 * - `ports`: every port on the runtime `SqlClient` (repositories, the audit
 *   log, the unit of work, the processing queue, and this package's own
 *   ports: checkpoints, thresholds, database health);
 * - `runtime`: `ports` on the runtime pool (`DATABASE_URL`), also exposing
 *   the `SqlClient` / `PgClient` itself;
 * - `live`: `runtime` with `DatabaseConfig` read from `Config`;
 * - `admin`: the owner's pool under its own `AdminSql` tag, for the CLI's
 *   owner work only. The server never opens it: at run time nothing needs
 *   the owner's rights, and a pool that is not there cannot be misused.
 *
 * The domain's use cases additionally need `PiiVault` (FernetKeyRing) and
 * `Hmac` from the domain; shells provide them next to these layers.
 */
import type * as PgClient from "@effect/sql-pg/PgClient"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { ConfigError } from "effect/ConfigError"
import * as Layer from "effect/Layer"
import type { ApiKeyRepository } from "@loan-ledger/domain/ApiKeyRepository"
import type { ApplicationRepository } from "@loan-ledger/domain/ApplicationRepository"
import type { AuditLog } from "@loan-ledger/domain/AuditLog"
import type { DocumentContentStore } from "@loan-ledger/domain/DocumentContentStore"
import type { DocumentRepository } from "@loan-ledger/domain/DocumentRepository"
import type { ProcessingQueue } from "@loan-ledger/domain/ProcessingQueue"
import type { UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import * as AdminSql from "./AdminSql.js"
import * as ConfidenceThresholds from "./ConfidenceThresholds.js"
import * as DatabaseConfig from "./DatabaseConfig.js"
import * as DatabaseHealth from "./DatabaseHealth.js"
import * as PgApiKeyRepository from "./PgApiKeyRepository.js"
import * as PgApplicationRepository from "./PgApplicationRepository.js"
import * as PgAuditLog from "./PgAuditLog.js"
import * as PgDocumentContentStore from "./PgDocumentContentStore.js"
import * as PgDocumentRepository from "./PgDocumentRepository.js"
import * as PgProcessingQueue from "./PgProcessingQueue.js"
import * as PgUnitOfWork from "./PgUnitOfWork.js"
import * as RuntimeSql from "./RuntimeSql.js"
import * as WorkflowCheckpoints from "./WorkflowCheckpoints.js"

export type Ports =
  | UnitOfWork
  | AuditLog
  | ApplicationRepository
  | DocumentRepository
  | DocumentContentStore
  | ApiKeyRepository
  | ProcessingQueue
  | WorkflowCheckpoints.WorkflowCheckpoints
  | ConfidenceThresholds.ConfidenceThresholds
  | DatabaseHealth.DatabaseHealth

/** The ports without a unit of work, for callers that build their own (tests: a lock timeout of their choice). */
export const portsWithoutUnitOfWork: Layer.Layer<Exclude<Ports, UnitOfWork>, never, SqlClient> = Layer.mergeAll(
  PgAuditLog.layer,
  PgApplicationRepository.layer,
  PgDocumentRepository.layer,
  PgDocumentContentStore.layer,
  PgApiKeyRepository.layer,
  PgProcessingQueue.layer,
  WorkflowCheckpoints.layer,
  ConfidenceThresholds.layer,
  DatabaseHealth.layer
)

export const ports: Layer.Layer<Ports, never, SqlClient | DatabaseConfig.DatabaseConfig> = Layer.merge(
  portsWithoutUnitOfWork,
  PgUnitOfWork.layer
)

export const runtime: Layer.Layer<
  Ports | SqlClient | PgClient.PgClient,
  SqlError,
  DatabaseConfig.DatabaseConfig
> = ports.pipe(Layer.provideMerge(RuntimeSql.layer))

export const live: Layer.Layer<
  Ports | SqlClient | PgClient.PgClient | DatabaseConfig.DatabaseConfig,
  SqlError | ConfigError
> = runtime.pipe(Layer.provideMerge(DatabaseConfig.layer))

export const admin: Layer.Layer<AdminSql.AdminSql, SqlError, DatabaseConfig.DatabaseConfig> = AdminSql.layer
