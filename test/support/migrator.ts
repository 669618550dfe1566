/** A Migrator of its own over one database URL, quiet below warnings: what every migration test needs. */
import { PgClient } from "@effect/sql-pg"
import { MigrationSettings, type MigrationSettingsShape } from "@loan-ledger/adapters-pg/MigrationSettings"
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import { Layer, Logger, LogLevel, Redacted } from "effect"

export const migratorLayer = (url: string, settings: Partial<MigrationSettingsShape>) =>
  Layer.merge(
    Migrator.DefaultWithoutDependencies.pipe(
      Layer.provide(MigrationSettings.layerWith(settings)),
      Layer.provideMerge(PgClient.layer({ url: Redacted.make(url) }))
    ),
    Logger.minimumLogLevel(LogLevel.Warning)
  )
