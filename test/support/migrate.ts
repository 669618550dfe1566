/** Brings a test database to the latest migration with the real Migrator, as its owner. */
import { Migrator } from "@loan-ledger/adapters-pg/Migrator"
import { Effect } from "effect"
import { migratorLayer } from "./migrator.js"

export const migrateToLatest = (url: string, appRole: string) =>
  Effect.runPromise(Migrator.up({}).pipe(Effect.provide(migratorLayer(url, { appRole })), Effect.asVoid))
