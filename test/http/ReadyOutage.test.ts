/**
 * `/ready` across a real outage: a PostgreSQL of this test's own (the shared
 * test cluster cannot be stopped without breaking the other files) is shut
 * down under a running server and started again on the same port.
 */
import * as EmbeddedPostgres from "@loan-ledger/adapters-pg/EmbeddedPostgres"
import { Effect, Exit, Redacted, Scope } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { migrateToLatest } from "../support/migrate.js"
import { APP_ROLE, APP_ROLE_PASSWORD, withCredentials } from "../support/template.js"
import { type RealServer, settingsFor, start } from "./support/RealServer.js"

describe("readiness across a stopped and restarted PostgreSQL", () => {
  const scope = Effect.runSync(Scope.make())
  let cluster: EmbeddedPostgres.EmbeddedCluster
  let server: RealServer

  beforeAll(async () => {
    cluster = await Effect.runPromise(
      EmbeddedPostgres.start({
        dataDir: EmbeddedPostgres.ephemeralDataDir("ready-outage"),
        ephemeral: true,
        fast: true,
        superuserPassword: Redacted.make("outage-test")
      }).pipe(Scope.extend(scope))
    )
    const adminUrl = Redacted.value(cluster.url("postgres"))
    await migrateToLatest(adminUrl, APP_ROLE)
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    await client.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${APP_ROLE_PASSWORD}'`)
    await client.end()
    server = await start(settingsFor({
      name: "postgres",
      adminUrl,
      appUrl: withCredentials(adminUrl, APP_ROLE, APP_ROLE_PASSWORD),
      appRole: APP_ROLE,
      drop: async () => undefined
    }))
  }, 180_000)

  afterAll(async () => {
    await server?.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  const ready = async () => {
    const response = await fetch(`${server.url}/ready`)
    return { status: response.status, body: await response.json() as unknown }
  }

  const until = async (status: number) => {
    for (let i = 0; i < 150; i++) {
      const answer = await ready()
      if (answer.status === status) return answer
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`/ready never answered ${status}`)
  }

  it("answers 503 degraded while the server is down and 200 once it is back, without a restart", async () => {
    expect((await ready()).status).toBe(200)
    await Effect.runPromise(cluster.stop)
    expect((await until(503)).body).toEqual({ status: "degraded", checks: { database: "unreachable" } })
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
    await Effect.runPromise(cluster.restart)
    expect((await until(200)).body).toEqual({ status: "ok", checks: { database: "ok" } })
  }, 120_000)
})
