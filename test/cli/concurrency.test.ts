/**
 * The CLI under concurrency: two seeds at once create everything once, and
 * `verify` and the Python verifier agree on chains that are being written
 * while they read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run } from "./support/cli.js"
import { verifyWithPython } from "./support/python.js"
import { exportChains, query } from "./support/sql.js"
import { verdicts, verifyWithCli } from "./support/verify.js"
import { writeConcurrently } from "./support/world.js"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase()
})

afterAll(async () => {
  await db?.drop()
})

const KEY = /\bak_(lo|su|rv)_[A-Za-z0-9_-]{43}\b/g

describe("loan-ledger under concurrency", { timeout: 300_000 }, () => {
  it("two seeds at once create each key and application once", async () => {
    const [a, b] = await Promise.all([run(["seed"], envFor(db)), run(["seed"], envFor(db))])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    // Each key is printed by exactly one of the two runs.
    const printed = [...a.stdout.matchAll(KEY), ...b.stdout.matchAll(KEY)].map((m) => m[1]).sort()
    expect(printed).toEqual(["lo", "rv", "su"])
    const [counts] = await query<{ apps: string; docs: string; keys: string }>(
      db.adminUrl,
      "SELECT (SELECT count(*) FROM loan_applications)::text AS apps, (SELECT count(*) FROM documents)::text AS docs, (SELECT count(*) FROM api_keys)::text AS keys"
    )
    expect(counts).toEqual({ apps: "12", docs: "28", keys: "3" })
    const verified = await verifyWithCli(db)
    expect(verified.code, verified.stderr).toBe(0)
  })

  it("both verifiers find intact chains while they are written, and agree once writing stops", async () => {
    const writing = writeConcurrently(db, 24)
    // Read while the writers append (each run sees some prefix of every chain).
    const [cli, python] = await Promise.all([
      verifyWithCli(db),
      exportChains(db.adminUrl).then(verifyWithPython)
    ])
    await writing
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.output.summary.broken).toBe(0)
    expect(python.code, python.stderr).toBe(0)
    expect(python.output.summary.broken).toBe(0)

    const [settledCli, settledPython] = [await verifyWithCli(db), await verifyWithPython(await exportChains(db.adminUrl))]
    expect(settledCli.code).toBe(0)
    expect(settledCli.output.summary.chains).toBe(13 + 24)
    expect(verdicts(settledPython.output)).toEqual(verdicts(settledCli.output))
  })
})
