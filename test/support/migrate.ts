/** Brings a test database to the latest migration with the real Migrator, as its owner. */
import { MigrationSettings } from "@loan-ledger/adapters-pg/MigrationSettings"
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"

export const migrateToLatest = (url: string, appRole: string) =>
  Effect.runPromise(
    Migrator.up({}).pipe(
      Effect.provide(
        Migrator.DefaultWithoutDependencies.pipe(
          Layer.provide(MigrationSettings.layerWith({ appRole })),
          Layer.provide(PgClient.layer({ url: Redacted.make(url) }))
        )
      ),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
      Effect.asVoid
    )
  )
