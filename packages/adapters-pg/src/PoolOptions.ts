/**
 * What both pools (runtime and admin) share.
 *
 * Timestamps: `pg` parses timestamptz into a JavaScript `Date`, which keeps
 * milliseconds only. The audit chain hashes microseconds and the keyset
 * cursors compare them, so queries select timestamps as canonical text
 * (TimestampText.ts); as a second line of defence the pools return every
 * timestamp column as PostgreSQL's text, so a `Date` can never appear.
 */
import type { PgClientConfig } from "@effect/sql-pg/PgClient"
import * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"
import pg from "pg"

const TIMESTAMP = 1114
const TIMESTAMPTZ = 1184

const asText = (value: string): string => value

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP || oid === TIMESTAMPTZ
      ? asText
      : format === "binary"
      ? pg.types.getTypeParser(oid, "binary")
      : pg.types.getTypeParser(oid, "text")) as pg.CustomTypesConfig["getTypeParser"]
}

export interface PoolOptions {
  readonly url: Redacted.Redacted<string>
  readonly maxConnections: number
  /** Shown in pg_stat_activity, so an operator can tell the pools apart. */
  readonly applicationName: string
}

export const toClientConfig = (options: PoolOptions): PgClientConfig => ({
  url: options.url,
  maxConnections: options.maxConnections,
  applicationName: options.applicationName,
  connectTimeout: Duration.seconds(10),
  idleTimeout: Duration.seconds(30),
  types
})
