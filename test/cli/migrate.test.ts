import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { baseEnv, envFor, run, stderrLines } from "./support/cli.js"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase({ migrated: false })
})

afterAll(async () => {
  await db?.drop()
})

describe("loan-ledger migrate", { timeout: 300_000 }, () => {
  it("applies every migration, reports the status, undoes and re-applies", async () => {
    const up = await run(["migrate", "up"], envFor(db))
    expect(up.code, up.stderr).toBe(0)
    expect(up.stdout).toContain("applied   008_workflow")
    expect(up.stdout).toContain("the database is at version 008")

    const again = await run(["migrate", "up"], envFor(db))
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("nothing to do")

    const status = await run(["migrate", "status", "--json"], envFor(db))
    expect(status.code).toBe(0)
    const parsed = JSON.parse(status.stdout) as { version: number; migrations: Array<{ version: number; name: string; state: string; appliedAt: string | null }> }
    expect(parsed.version).toBe(8)
    expect(parsed.migrations.map((m) => m.state)).toEqual(new Array(8).fill("applied"))
    expect(parsed.migrations[0]!.name).toBe("001_extensions")

    const down = await run(["migrate", "down", "--steps", "2"], envFor(db))
    expect(down.code, down.stderr).toBe(0)
    expect(down.stdout).toContain("the database is at version 006")

    const pending = await run(["migrate", "status"], envFor(db))
    expect(pending.stdout).toMatch(/pending\s+007_confidence_thresholds/)

    const to7 = await run(["migrate", "up", "--to", "7"], envFor(db))
    expect(to7.stdout).toContain("the database is at version 007")
    const rest = await run(["migrate", "up"], envFor(db))
    expect(rest.stdout).toContain("the database is at version 008")
  })

  it("refuses to undo the audit guards in production", async () => {
    expect((await run(["migrate", "up"], envFor(db))).code).toBe(0)
    const result = await run(["migrate", "down", "--steps", "3"], envFor(db, { ENVIRONMENT: "production" }))
    expect(result.code, result.stderr).toBe(2)
    expect(stderrLines(result)).toHaveLength(1)
    expect(result.stderr).toContain("refusing to undo migration 006 in production")
  })

  it("answers a target that does not exist with a usage error", async () => {
    const result = await run(["migrate", "up", "--to", "99"], envFor(db))
    expect(result.code).toBe(2)
    expect(stderrLines(result)).toEqual(["loan-ledger: there is no migration 099 to migrate up to"])
  })

  it("reports an unreachable database in one line with exit code 3, without the password", async () => {
    const url = "postgres://owner:s3cret-password@127.0.0.1:1/nowhere"
    const result = await run(["migrate", "status"], { ...baseEnv(), DATABASE_URL: url, DATABASE_ADMIN_URL: url })
    expect(result.code).toBe(3)
    expect(stderrLines(result)).toHaveLength(1)
    expect(result.stderr).not.toContain("s3cret")
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/)
  })

  it("refuses the embedded default in production", async () => {
    const result = await run(["migrate", "status"], { ...baseEnv(), ENVIRONMENT: "production" })
    expect(result.code).toBe(2)
    expect(stderrLines(result)).toEqual([
      "loan-ledger: DATABASE_URL is required in production (the embedded database is for development only)"
    ])
  })
})

describe("loan-ledger usage", { timeout: 120_000 }, () => {
  it.each([
    [["--help"]],
    [["migrate", "--help"]],
    [["migrate", "up", "--help"]],
    [["migrate", "down", "--help"]],
    [["migrate", "status", "--help"]],
    [["seed", "--help"]],
    [["verify", "--help"]],
    [["keys", "--help"]],
    [["keys", "create", "--help"]],
    [["keys", "list", "--help"]],
    [["keys", "revoke", "--help"]],
    [["pii", "--help"]],
    [["pii", "rotate", "--help"]],
    [["serve", "--help"]]
  ])("prints help for %j and exits 0", async (args) => {
    const result = await run(args, baseEnv())
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("USAGE")
    expect(result.stdout).not.toContain("\u001b[")
    expect(result.stderr).toBe("")
  })

  it.each([
    [[], "needs a subcommand"],
    [["migrate"], "needs a subcommand"],
    [["frobnicate"], "Invalid subcommand"],
    [["migrate", "down", "--steps", "0"], "--steps must be a positive integer"],
    [["migrate", "up", "--to", "x"], "is not a integer"],
    [["keys", "create"], "Expected to find option: '--role'"],
    [["keys", "create", "--role", "admin"], "Expected one of the following cases"],
    [["keys", "create", "--role", "reviewer", "--expires-in-days", "400"], "--expires-in-days must be between 1 and 365"],
    [["keys", "revoke", "not-a-uuid"], "the key id must be a UUID"],
    [["verify", "--application", "123-45-6789"], "--application must be a UUID"],
    [["verify", "--frobnicate"], "Received unknown argument"]
  ])("answers %j with one line and exit code 2", async (args, message) => {
    const result = await run(args, baseEnv())
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    const lines = stderrLines(result)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(message)
    // An SSN-shaped argument never comes back.
    expect(result.stderr).not.toContain("123-45-6789")
  })
})
