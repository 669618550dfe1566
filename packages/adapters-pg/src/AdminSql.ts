/**
 * The owner's pool (`DATABASE_ADMIN_URL`): migrations, seeding, and checks
 * the runtime role is not allowed to make. It has its own tag so that it can
 * never be mistaken for the runtime `SqlClient`: a repository that asked for
 * it by accident would write as the owner, past every grant.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { DatabaseConfig } from "./DatabaseConfig.js"
import { type PoolOptions, toClientConfig } from "./PoolOptions.js"

export class AdminSql extends Context.Tag("@loan-ledger/adapters-pg/AdminSql")<AdminSql, PgClient.PgClient>() {}

export const APPLICATION_NAME = "loan-ledger-admin"

/** Owner work is occasional and sequential: a small pool is enough. */
const ADMIN_POOL_SIZE = 2

export const layerFrom = (options: PoolOptions): Layer.Layer<AdminSql, SqlError> =>
  Layer.scoped(AdminSql, PgClient.make(toClientConfig(options))).pipe(Layer.provide(Reactivity.layer))

export const layer: Layer.Layer<AdminSql, SqlError, DatabaseConfig> = Layer.unwrapEffect(
  Effect.map(DatabaseConfig, (config) =>
    layerFrom({ url: config.adminUrl, maxConnections: ADMIN_POOL_SIZE, applicationName: APPLICATION_NAME }))
)

/**
 * The owner's pool as the plain `SqlClient` / `PgClient`, for programs that
 * run as the owner only (the migrator, seeding). Never merge it into the
 * runtime composition: the repositories would then write as the owner.
 */
export const asSqlClient: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, never, AdminSql> = Layer.effectContext(
  Effect.map(AdminSql, (client) => Context.make(PgClient.PgClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
)
