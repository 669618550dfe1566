/**
 * Database settings read through `Config`, so the embedded default (and
 * tests) can supply them with a ConfigProvider instead of the environment.
 */
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"

export const Environment = Schema.Literal("development", "production")
export type Environment = typeof Environment.Type

export const environment = Config.literal("development", "production")("ENVIRONMENT").pipe(
  Config.withDefault("development" as const)
)

/**
 * The runtime role's name reaches role DDL (quoted); it is held to a plain
 * lower-case identifier so it reads the same everywhere (psql, logs,
 * pg_hba.conf), and may be neither a built-in role nor audit_writer itself.
 */
export const appRole = Config.string("DATABASE_APP_ROLE").pipe(
  Config.withDefault("app_user"),
  Config.validate({
    message: "DATABASE_APP_ROLE must be a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63 characters), " +
      "not a pg_ role and not audit_writer",
    validation: (name) => /^[a-z_][a-z0-9_]{0,62}$/.test(name) && !name.startsWith("pg_") && name !== "audit_writer"
  })
)

/** PostgreSQL's own default (0) waits forever; every lock wait of ours is bounded. */
export const lockTimeoutMs = Config.integer("LOCK_TIMEOUT_MS").pipe(
  Config.withDefault(5000),
  Config.validate({
    message: "LOCK_TIMEOUT_MS must be between 1 and 600000 (0 would mean wait forever)",
    validation: (ms) => ms >= 1 && ms <= 600_000
  })
)

export interface DatabaseConfigShape {
  readonly environment: Environment
  /** The runtime role's connection: everything the application does at run time. */
  readonly url: Redacted.Redacted<string>
  /** The owner's connection: migrations, seeding, maintenance. */
  readonly adminUrl: Redacted.Redacted<string>
  /** Whether `DATABASE_ADMIN_URL` was given, or defaulted to `DATABASE_URL` (development only). */
  readonly adminUrlExplicit: boolean
  readonly appRole: string
  readonly lockTimeoutMs: number
  /** Connections of the runtime pool (`DATABASE_POOL_SIZE`, default 10). */
  readonly poolSize: number
}

export class DatabaseConfig extends Context.Tag("@loan-ledger/adapters-pg/DatabaseConfig")<
  DatabaseConfig,
  DatabaseConfigShape
>() {}

export const config: Config.Config<DatabaseConfigShape> = Config.all({
  environment,
  url: Config.redacted("DATABASE_URL"),
  adminUrl: Config.option(Config.redacted("DATABASE_ADMIN_URL")),
  appRole,
  lockTimeoutMs,
  poolSize: Config.integer("DATABASE_POOL_SIZE").pipe(
    Config.withDefault(10),
    Config.validate({
      message: "DATABASE_POOL_SIZE must be between 1 and 1000",
      validation: (n) => n >= 1 && n <= 1000
    })
  )
}).pipe(
  Config.map(({ adminUrl, ...rest }) => ({
    ...rest,
    adminUrl: Option.getOrElse(adminUrl, () => rest.url),
    adminUrlExplicit: Option.isSome(adminUrl)
  })),
  Config.validate({
    message: "DATABASE_ADMIN_URL is required in production (the runtime role must not be the owner)",
    validation: (c) => c.environment !== "production" || c.adminUrlExplicit
  })
)

export const layer = Layer.effect(DatabaseConfig, config)

/** The URL's password never leaves the Redacted wrapper; this is for messages. */
export const describeUrl = (url: Redacted.Redacted<string>) =>
  Effect.sync(() => {
    try {
      const parsed = new URL(Redacted.value(url))
      return `${parsed.protocol}//${parsed.username}@${parsed.host}${parsed.pathname}`
    } catch {
      return "(unparseable URL)"
    }
  })
