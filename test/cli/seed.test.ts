/**
 * `loan-ledger seed` and `seed --remove` as subprocesses against a real
 * PostgreSQL, checked through SQL and both verifiers.
 */
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeedData from "../../packages/cli/src/seed/SeedData.js"
import { render } from "../../packages/cli/src/seed/SeedDocuments.js"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run, stderrLines, TEST_ENCRYPTION_KEY } from "./support/cli.js"
import { verifyWithPython } from "./support/python.js"
import { dump, exportChains, query } from "./support/sql.js"
import { verdicts, verifyWithCli } from "./support/verify.js"
import { createOtherApplication } from "./support/world.js"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase()
})

afterAll(async () => {
  await db?.drop()
})

const KEY_LINE = /\bak_(lo|su|rv)_[A-Za-z0-9_-]{43}\b/g

const decrypt = (ciphertext: Uint8Array) =>
  Effect.runPromise(
    Effect.flatMap(
      FernetKeyRing.make({ current: { id: 1, key: Redacted.make(TEST_ENCRYPTION_KEY) }, previous: Option.none() }),
      (vault) => Effect.map(vault.decrypt(ciphertext), Redacted.value)
    )
  )
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

// Each CLI run is a fresh Node process (several seconds on a loaded machine); a journey makes many.
describe("loan-ledger seed", { timeout: 300_000 }, () => {
  it("seeds an empty database: keys printed once, every chain verifies, counts and statuses as listed", async () => {
    const result = await run(["seed"], envFor(db))
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe("")
    const printed = [...result.stdout.matchAll(KEY_LINE)].map((m) => m[1])
    expect(printed).toEqual(["lo", "su", "rv"])

    const keys = await query<{ id: string; role: string; description: string; is_seed: boolean; is_active: boolean; hours: string }>(
      db.adminUrl,
      `SELECT id::text, role, description, is_seed, is_active,
              round(extract(epoch FROM expires_at - created_at) / 3600)::text AS hours
       FROM api_keys ORDER BY id`
    )
    expect(keys).toEqual(SeedData.allKeys.map((k) => ({
      id: k.id,
      role: k.role,
      description: k.description,
      is_seed: true,
      is_active: true,
      hours: "24"
    })))

    const apps = await query<{ id: string; borrower_name: string; loan_amount_cents: string; status: string; documents: string }>(
      db.adminUrl,
      `SELECT a.id::text, a.borrower_name, a.loan_amount_cents::text, a.status,
              (SELECT count(*) FROM documents d WHERE d.application_id = a.id)::text AS documents
       FROM loan_applications a ORDER BY a.id`
    )
    expect(apps).toEqual(SeedData.applications.map((a) => ({
      id: a.id,
      borrower_name: a.borrowerName,
      loan_amount_cents: a.loanAmount.replace(".", ""),
      status: a.status,
      documents: String(a.documents.length)
    })))
    expect(apps.filter((a) => a.status !== "draft").every((a) => Number(a.documents) >= 2 && Number(a.documents) <= 3)).toBe(true)

    const thresholds = await query<{ name: string; value: string }>(db.adminUrl, "SELECT name, value::text FROM confidence_thresholds ORDER BY name")
    expect(thresholds).toEqual([{ name: "auto_approve_min", value: "0.850" }, { name: "escalate_below", value: "0.600" }])

    // Every non-draft application has its trail; the draft its creation.
    const trails = await query<{ application_id: string; types: Array<string>; last_state: string | null }>(
      db.adminUrl,
      `SELECT application_id::text, array_agg(event_type ORDER BY id) AS types,
              (array_agg(new_state ORDER BY id) FILTER (WHERE event_type = 'state_transition'))[count(*) FILTER (WHERE event_type = 'state_transition')] AS last_state
       FROM audit_events WHERE application_id IS NOT NULL GROUP BY application_id ORDER BY 1`
    )
    for (const app of SeedData.applications) {
      const trail = trails.find((t) => t.application_id === app.id)!
      expect(trail.last_state, app.borrowerName).toBe(app.status)
      expect(trail.types.filter((t) => t === "document_upload")).toHaveLength(app.documents.length)
      if (app.status !== "draft") expect(trail.types).toContain("state_transition")
      if (["approved", "denied", "awaiting_review"].includes(app.status)) {
        expect(trail.types).toContain("agent_decision")
        expect(trail.types).toContain("routing_decision")
      }
      if (app.status === "denied") expect(trail.types).toContain("human_review")
    }

    const verified = await verifyWithCli(db)
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.output.ok).toBe(true)
    expect(verified.output.summary.chains).toBe(13)
    expect(verified.output.chains.every((c) => c.status === "intact")).toBe(true)
  })

  it("stores PII only encrypted, and every ciphertext decrypts to the seed value (the large ones included)", async () => {
    const rows = await query<{ id: string; ssn_encrypted: Buffer; ssn_last4: string; account_numbers_encrypted: Buffer | null; government_id_encrypted: Buffer | null }>(
      db.adminUrl,
      "SELECT id::text, ssn_encrypted, ssn_last4, account_numbers_encrypted, government_id_encrypted FROM loan_applications"
    )
    for (const app of SeedData.applications) {
      const row = rows.find((r) => r.id === app.id)!
      expect(row.ssn_encrypted[0]).toBe(1)
      expect(text(await decrypt(row.ssn_encrypted))).toBe(app.ssn)
      expect(row.ssn_last4).toBe(app.ssn.slice(-4))
      expect(row.ssn_encrypted.includes(Buffer.from(app.ssn))).toBe(false)
      if (app.accountNumbers === undefined) expect(row.account_numbers_encrypted).toBeNull()
      else expect(JSON.parse(text(await decrypt(row.account_numbers_encrypted!)))).toEqual(app.accountNumbers)
      if (app.governmentId === undefined) expect(row.government_id_encrypted).toBeNull()
      else expect(text(await decrypt(row.government_id_encrypted!))).toBe(app.governmentId)
    }
    const five = SeedData.applications.find((a) => a.accountNumbers?.length === 5)!
    expect(rows.find((r) => r.id === five.id)!.account_numbers_encrypted!.length).toBeGreaterThan(200)

    const contents = await query<{ id: string; content_encrypted: Buffer }>(
      db.adminUrl,
      "SELECT document_id::text AS id, content_encrypted FROM document_contents"
    )
    const documents = SeedData.applications.flatMap((a) => a.documents)
    expect(contents).toHaveLength(documents.length)
    for (const document of documents) {
      const stored = contents.find((c) => c.id === document.id)!
      expect(Buffer.from(await decrypt(stored.content_encrypted))).toEqual(Buffer.from(render(document)))
    }

    // Nothing personal in the audit trail.
    const trail = (await query<{ t: string }>(db.adminUrl, "SELECT string_agg(to_jsonb(e)::text, '\n') AS t FROM audit_events e"))[0]!.t
    for (const app of SeedData.applications) {
      for (const value of [app.ssn, app.borrowerName, ...(app.accountNumbers ?? []), ...(app.governmentId === undefined ? [] : [app.governmentId])]) {
        expect(trail.includes(value), value).toBe(false)
      }
      for (const d of app.documents) expect(trail.includes(d.filename)).toBe(false)
    }
  })

  it("agrees with the independent Python verifier on the seeded chains", async () => {
    const cli = await verifyWithCli(db)
    const python = await verifyWithPython(await exportChains(db.adminUrl, "America/St_Johns"))
    expect(python.code, python.stderr).toBe(0)
    expect(verdicts(python.output)).toEqual(verdicts(cli.output))
  })

  it("changes no row on a second run and prints no key", async () => {
    const before = await dump(db.adminUrl)
    const again = await run(["seed"], envFor(db))
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).not.toMatch(KEY_LINE)
    expect(again.stdout).toContain("nothing changed")
    expect(await dump(db.adminUrl)).toBe(before)
  })

  it("reports expired seed keys with a hint instead of replacing them", async () => {
    await query(db.adminUrl, "UPDATE api_keys SET expires_at = created_at - interval '1 second' WHERE is_seed")
    const result = await run(["seed"], envFor(db))
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).not.toMatch(KEY_LINE)
    for (const key of SeedData.allKeys) {
      expect(result.stdout).toContain(`seed key ${key.id}`)
      expect(result.stdout).toContain(`loan-ledger keys create --role ${key.role}`)
    }
    expect((await query(db.adminUrl, "SELECT 1 FROM api_keys WHERE is_seed AND expires_at > now()"))).toHaveLength(0)
    await query(db.adminUrl, "UPDATE api_keys SET expires_at = created_at + interval '24 hours' WHERE is_seed")
  })

  it("--remove deletes only the seed, deactivates its keys, records a maintenance event; seed works again", async () => {
    const other = await createOtherApplication(db)
    const otherRows = `
      SELECT 'app ' || to_jsonb(a)::text AS line FROM loan_applications a WHERE id = '${other.applicationId}'
      UNION ALL SELECT 'doc ' || to_jsonb(d)::text FROM documents d WHERE application_id = '${other.applicationId}'
      UNION ALL SELECT 'content ' || c.document_id || md5(c.content_encrypted) FROM document_contents c
        JOIN documents d ON d.id = c.document_id WHERE d.application_id = '${other.applicationId}'
      UNION ALL SELECT 'checkpoint ' || to_jsonb(w)::text FROM workflow.checkpoints w WHERE application_id = '${other.applicationId}'
      UNION ALL SELECT 'event ' || to_jsonb(e)::text FROM audit_events e WHERE application_id = '${other.applicationId}'
        OR (application_id IS NULL)
      UNION ALL SELECT 'key ' || to_jsonb(k)::text FROM api_keys k WHERE NOT is_seed
      UNION ALL SELECT 'threshold ' || to_jsonb(t)::text FROM confidence_thresholds t
      ORDER BY 1`
    const before = (await query<{ line: string }>(db.adminUrl, otherRows)).map((r) => r.line)

    const removed = await run(["seed", "--remove"], envFor(db))
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout).toContain("deleted 12 applications")

    const after = (await query<{ line: string }>(db.adminUrl, otherRows)).map((r) => r.line)
    // Everything that was not the seed is still there, byte for byte (the system chain only grew).
    expect(after.filter((row) => !before.includes(row)).every((row) => row.startsWith("event "))).toBe(true)
    expect(before.filter((row) => !after.includes(row))).toEqual([])

    const remaining = await query<{ n: string }>(
      db.adminUrl,
      `SELECT (SELECT count(*) FROM loan_applications WHERE id::text = ANY($1))
            + (SELECT count(*) FROM documents WHERE application_id::text = ANY($1))
            + (SELECT count(*) FROM audit_events WHERE application_id::text = ANY($1)) AS n`,
      [SeedData.applicationIds]
    )
    expect(remaining[0]!.n).toBe("0")
    const seedKeys = await query<{ is_active: boolean }>(db.adminUrl, "SELECT is_active FROM api_keys WHERE is_seed")
    expect(seedKeys).toEqual([{ is_active: false }, { is_active: false }, { is_active: false }])
    const maintenance = await query<{ metadata: { action: string; removed_chains: Array<string> } }>(
      db.adminUrl,
      "SELECT metadata FROM audit_events WHERE application_id IS NULL AND event_type = 'maintenance'"
    )
    expect(maintenance).toHaveLength(1)
    expect(maintenance[0]!.metadata.action).toBe("seed_remove")
    expect([...maintenance[0]!.metadata.removed_chains].sort()).toEqual([...SeedData.applicationIds].sort())
    // The guard is back on.
    const guard = await query<{ tgenabled: string }>(
      db.adminUrl,
      "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'audit_events_refuse_update_delete'"
    )
    expect(guard).toEqual([{ tgenabled: "A" }])

    const verified = await verifyWithCli(db)
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.output.summary.chains).toBe(2) // the system chain and the other application's

    const nothing = await run(["seed", "--remove"], envFor(db))
    expect(nothing.code).toBe(0)
    expect(nothing.stdout).toContain("nothing changed")

    const reseeded = await run(["seed"], envFor(db))
    expect(reseeded.code, reseeded.stderr).toBe(0)
    expect(reseeded.stdout).toContain("created 12 applications")
    expect(reseeded.stdout).toContain("is deactivated")
    const final = await verifyWithCli(db)
    expect(final.code, final.stderr).toBe(0)
    expect(final.output.summary.chains).toBe(14)
    const python = await verifyWithPython(await exportChains(db.adminUrl))
    expect(verdicts(python.output)).toEqual(verdicts(final.output))
  })

  it("asks for the owner's connection instead of writing anything as the runtime role", async () => {
    const fresh = await createTestDatabase()
    try {
      const env = envFor(fresh)
      delete env.DATABASE_ADMIN_URL
      const result = await run(["seed"], env)
      expect(result.code).toBe(2)
      expect(stderrLines(result)).toHaveLength(1)
      expect(result.stderr).toContain("set DATABASE_ADMIN_URL")
      expect(result.stdout).not.toMatch(KEY_LINE)
      expect(await query(fresh.adminUrl, "SELECT 1 FROM api_keys UNION ALL SELECT 1 FROM audit_events")).toHaveLength(0)
    } finally {
      await fresh.drop()
    }
  })

  it.each([[["seed"]], [["seed", "--remove"]]])("%j refuses to run in production", async (args) => {
    const result = await run(args, envFor(db, { ENVIRONMENT: "production" }))
    expect(result.code).toBe(2)
    expect(stderrLines(result)).toHaveLength(1)
    expect(result.stderr).toContain("refuses to run with ENVIRONMENT=production")
  })
})
