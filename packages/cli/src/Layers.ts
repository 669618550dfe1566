/**
 * What the commands run on, composed once for the whole CLI (the server
 * composes the same adapters): settings, the owner's and the runtime role's
 * pools, and the services built on them.
 *
 * With no `DATABASE_URL`, `environment` starts the embedded default first
 * (its own cluster, migrated, with generated development secrets) and makes
 * its ConfigProvider current, so every layer below reads its settings
 * through `Config` exactly as in production. Production never falls back to
 * the embedded database.
 */
import * as AdminSql from "@loan-ledger/adapters-pg/AdminSql"
import * as DatabaseConfig from "@loan-ledger/adapters-pg/DatabaseConfig"
import * as EmbeddedDefault from "@loan-ledger/adapters-pg/EmbeddedDefault"
import { MigrationSettings } from "@loan-ledger/adapters-pg/MigrationSettings"
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgLayers from "@loan-ledger/adapters-pg/PgLayers"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import { Hmac } from "@loan-ledger/domain/Hmac"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { UsageError } from "./CliError.js"
import * as RotationStore from "@loan-ledger/adapters-pg/RotationStore"
import * as SeedStore from "@loan-ledger/adapters-pg/SeedStore"

const log = (line: string) => process.stderr.write(`loan-ledger: ${line}\n`)

/**
 * How the embedded default prepares its database before a command runs:
 * every command but `migrate` wants the latest schema; `migrate` itself
 * wants the schema left as it is (so that `migrate down` sticks), and
 * migrates only a brand-new database, whose runtime role does not exist yet.
 */
export type EmbeddedSchema = "latest" | "only-when-new"

const prepareEmbedded = (schema: EmbeddedSchema) => (adminUrl: Redacted.Redacted<string>, appRole: string) =>
  Effect.gen(function*() {
    if (schema === "only-when-new" && (yield* Migrator.status).version > 0) return
    yield* Migrator.up()
  }).pipe(
    Effect.provide(
      Migrator.DefaultWithoutDependencies.pipe(
        Layer.provide(MigrationSettings.layerWith({ appRole })),
        Layer.provide(PgClient.layer({ url: adminUrl, maxConnections: 1, applicationName: AdminSql.APPLICATION_NAME }))
      )
    )
  )

/**
 * The ConfigProvider every command runs under: the environment's, or, with
 * no `DATABASE_URL` outside production, the embedded default's. Scoped: a
 * cluster this command started stops when the command ends (one already
 * running, e.g. under `serve`, is borrowed and left alone).
 */
export const environment = (schema: EmbeddedSchema) => Layer.unwrapScoped(
  Effect.gen(function*() {
    if (!(yield* EmbeddedDefault.isWanted)) return Layer.empty
    if ((yield* DatabaseConfig.environment) === "production") {
      return yield* new UsageError({
        message: "DATABASE_URL is required in production (the embedded database is for development only)"
      })
    }
    const embedded = yield* EmbeddedDefault.start({ migrate: prepareEmbedded(schema), log })
    return Layer.setConfigProvider(embedded.configProvider)
  })
)

const Settings = DatabaseConfig.layer

/** The owner's pool as the plain `SqlClient` the adapter's ports run on, for owner work (the seed). */
const OwnerSqlClient = Layer.effect(SqlClient.SqlClient, AdminSql.AdminSql).pipe(Layer.provide(AdminSql.layer))

/** The domain services every shell adds next to the adapter: the PII vault and the HMAC signer. */
const DomainServices = Layer.merge(FernetKeyRing.layerConfig, Hmac.Default)

/**
 * The owner's connection for the Migrator: a plain client of one connection.
 * Not AdminSql's pool: that one returns timestamps as text (for the audit
 * chain), while the Migrator's status reads `applied_at` as a Date.
 */
const MigrationSql = Layer.unwrapEffect(
  Effect.map(DatabaseConfig.DatabaseConfig, (config) =>
    PgClient.layer({ url: config.adminUrl, maxConnections: 1, applicationName: AdminSql.APPLICATION_NAME }))
).pipe(Layer.provide(Settings))

/**
 * The seed's services under whatever ConfigProvider is current: the
 * adapter's ports on the owner's connection, plus the seed's own statements.
 * (`serve` runs it inside the embedded environment it already started.)
 */
export const SeedingServices = Layer.mergeAll(PgLayers.ports, SeedStore.layer).pipe(
  Layer.provide(OwnerSqlClient),
  Layer.merge(DomainServices),
  Layer.provideMerge(Settings)
)

/** `seed` and `seed --remove`. */
export const Seeding = SeedingServices.pipe(Layer.provide(environment("latest")))

/**
 * The runtime role's pool and every port on it, as the server runs them:
 * `verify`, `keys`, `pii rotate` need nothing the runtime role may not do.
 */
export const Runtime = PgLayers.live.pipe(
  Layer.merge(DomainServices),
  Layer.provide(environment("latest"))
)

/** `keys create | list | revoke`: the domain's use cases on the runtime pool. */
export const Keys = ApiKeys.Default.pipe(Layer.provide(Runtime))

/** `pii rotate`: the rotation's statements next to the ports, on the runtime pool. */
export const PiiRotation = Layer.provideMerge(RotationStore.layer, Runtime)

/** `migrate up | down | status`. */
export const Migrations = Migrator.DefaultWithoutDependencies.pipe(
  Layer.provide(MigrationSettings.layer),
  Layer.provide(MigrationSql),
  Layer.provide(environment("only-when-new"))
)
