/**
 * `ENVIRONMENT=production` refuses to start (before opening a port) on an
 * unfit deployment, naming every reason; development starts and warns.
 * Against a real database, as the runtime role and as the owner.
 */
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { configProblems, type ConfigFacts } from "../../packages/http/src/StartupChecks.js"
import { envFor, run } from "../cli/support/cli.js"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import * as RealServer from "./support/RealServer.js"

let clean: TestDatabase
let seeded: TestDatabase

beforeAll(async () => {
  clean = await createTestDatabase()
  seeded = await createTestDatabase()
  const result = await run(["seed"], envFor(seeded))
  expect(result.code, result.stderr).toBe(0)
}, 180_000)

afterAll(async () => {
  await clean?.drop()
  await seeded?.drop()
})

const refusal = async (settings: Record<string, string>): Promise<string> => {
  try {
    const server = await RealServer.start(settings)
    await server.close()
  } catch (error) {
    if (!(error instanceof RealServer.StartFailed)) throw error
    const failure = Exit.isFailure(error.exit) ? Cause.failureOption(error.exit.cause) : Option.none()
    if (Option.isSome(failure) && (failure.value as { _tag?: string })._tag === "StartupRefused") {
      return (failure.value as { message: string }).message
    }
    throw new Error(`failed otherwise: ${Exit.isFailure(error.exit) ? Cause.pretty(error.exit.cause) : ""}`)
  }
  return "started"
}

describe("production start-up", () => {
  it("starts with a fit deployment", async () => {
    expect(await refusal(RealServer.settingsFor(clean, { ENVIRONMENT: "production" }))).toBe("started")
  })

  it("refuses active seed keys", async () => {
    const message = await refusal(RealServer.settingsFor(seeded, { ENVIRONMENT: "production" }))
    expect(message).toMatch(/refusing to start in production: .*seed API key/)
  })

  it("refuses the generated development secrets and placeholder keys", async () => {
    const message = await refusal(
      RealServer.settingsFor(clean, { ENVIRONMENT: "production", HMAC_SECRET_KEY: "dev-insecure-" + "x".repeat(40) })
    )
    expect(message).toContain("HMAC_SECRET_KEY is a development or placeholder secret")
  })

  it("refuses a runtime connection that is the owner (superuser, owner of audit_events, same URL)", async () => {
    const message = await refusal(
      RealServer.settingsFor(clean, { ENVIRONMENT: "production", DATABASE_URL: clean.adminUrl })
    )
    expect(message).toContain("DATABASE_ADMIN_URL equals DATABASE_URL")
    expect(message).toContain("superuser")
    expect(message).toContain("owns audit_events")
    // Secrets and passwords are never part of the message.
    expect(message).not.toContain(new URL(clean.adminUrl).password || "no-password")
  })

  it("warns instead in development", async () => {
    const logs: Array<string> = []
    const server = await RealServer.start(RealServer.settingsFor(seeded), logs)
    await server.close()
    const warnings = logs.map((l) => JSON.parse(l)).filter((l) => l.level === "WARN")
    expect(warnings.some((w) => /seed API key/.test(w.message))).toBe(true)
  })
})

describe("configProblems", () => {
  const base: ConfigFacts = {
    environment: "production",
    databaseUrl: Option.some(Redacted.make("postgres://app@db/x")),
    adminUrl: Option.some(Redacted.make("postgres://owner@db/x")),
    encryptionKey: Option.some(Redacted.make("k".repeat(44))),
    previousEncryptionKey: Option.none(),
    hmacSecret: Option.some(Redacted.make("s".repeat(10) + "-a-real-secret-of-enough-length")),
    developmentEncryptionKey: Option.some("devkey")
  }

  it("finds nothing in a fit configuration", () => {
    expect(configProblems(base)).toEqual([])
  })

  it("names every missing or unfit setting", () => {
    const problems = configProblems({
      ...base,
      databaseUrl: Option.none(),
      adminUrl: Option.none(),
      encryptionKey: Option.some(Redacted.make("devkey")),
      previousEncryptionKey: Option.some(Redacted.make("changeme")),
      hmacSecret: Option.some(Redacted.make("short"))
    })
    expect(problems).toEqual([
      "DATABASE_URL is not set (the embedded default is for development only)",
      "DATABASE_ADMIN_URL is not set",
      "ENCRYPTION_KEY is a development or placeholder key",
      "ENCRYPTION_KEY_PREVIOUS is a development or placeholder key",
      "HMAC_SECRET_KEY is shorter than 32 characters"
    ])
    expect(configProblems({ ...base, encryptionKey: Option.none(), hmacSecret: Option.none() })).toEqual([
      "ENCRYPTION_KEY is not set",
      "HMAC_SECRET_KEY is not set"
    ])
  })
})
