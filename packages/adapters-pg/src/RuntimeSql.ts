/**
 * The runtime pool: the `SqlClient` / `PgClient` every repository uses,
 * connected as the runtime role (`DATABASE_URL`, normally `app_user`). That
 * role is neither a superuser nor an owner, reads `audit_events` and writes
 * it only through the audited transaction (ARCHITECTURE.md).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { DatabaseConfig } from "./DatabaseConfig.js"
import { type PoolOptions, toClientConfig } from "./PoolOptions.js"

export const APPLICATION_NAME = "loan-ledger"

/** A runtime pool from explicit options (tests, the benchmark, a pool of one). */
export const layerFrom = (options: PoolOptions): Layer.Layer<PgClient.PgClient | SqlClient, SqlError> =>
  PgClient.layer(toClientConfig(options))

/** The runtime pool from `DatabaseConfig` (`DATABASE_URL`, `DATABASE_POOL_SIZE`). */
export const layer: Layer.Layer<PgClient.PgClient | SqlClient, SqlError, DatabaseConfig> = Layer.unwrapEffect(
  Effect.map(DatabaseConfig, (config) =>
    layerFrom({ url: config.url, maxConnections: config.poolSize, applicationName: APPLICATION_NAME }))
)
