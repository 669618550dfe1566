/**
 * Settings of the migration runner, read through `Config`:
 * - `DATABASE_APP_ROLE` (default `app_user`): the runtime role the migrations
 *   create if missing and grant to. Quoted in SQL, but held to a plain
 *   lower-case identifier so that it reads the same everywhere (psql, logs,
 *   pg_hba.conf) without quoting.
 * - `ENVIRONMENT` (`development` | `production`, default `development`):
 *   production refuses down migrations through 006.
 * - `LOCK_TIMEOUT_MS` (default 5000): how long a migration waits for the
 *   migration lock and for the table locks its DDL needs. PostgreSQL's own
 *   default (0) waits forever, and DDL queued behind a long transaction also
 *   queues every later query on that table.
 * - `MIGRATIONS_DIR` (default: the repository's `migrations/`).
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { fileURLToPath } from "node:url"
import { appRole, type Environment, environment, lockTimeoutMs } from "./DatabaseConfig.js"

export interface MigrationSettingsShape {
  readonly directory: string
  readonly appRole: string
  readonly environment: Environment
  readonly lockTimeoutMs: number
}

/** `migrations/` at the repository root, from `packages/adapters-pg/{src,dist}/`. */
export const defaultDirectory = fileURLToPath(new URL("../../../migrations/", import.meta.url))

export const config: Config.Config<MigrationSettingsShape> = Config.all({
  directory: Config.string("MIGRATIONS_DIR").pipe(Config.withDefault(defaultDirectory)),
  appRole,
  environment,
  lockTimeoutMs
})

export class MigrationSettings extends Context.Tag("@loan-ledger/adapters-pg/MigrationSettings")<
  MigrationSettings,
  MigrationSettingsShape
>() {
  /** From the environment (or whatever ConfigProvider is current). */
  static readonly layer = Layer.effect(MigrationSettings, config)

  /** From the environment, with some settings fixed by the caller (tests, embedding code). */
  static readonly layerWith = (overrides: Partial<MigrationSettingsShape>) =>
    Layer.effect(MigrationSettings, Effect.map(config, (settings) => ({ ...settings, ...overrides })))
}
