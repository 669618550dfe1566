/** `loan-ledger keys create | list | revoke` as subprocesses against a real PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run, stderrLines } from "./support/cli.js"
import { query } from "./support/sql.js"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase()
})

afterAll(async () => {
  await db?.drop()
})

interface Listed {
  id: string
  role: string
  description: string | null
  status: "active" | "expired" | "revoked"
  isActive: boolean
  isSeed: boolean
  expiresAt: string | null
  createdAt: string
}

const field = (stdout: string, name: string) => new RegExp(`^${name}:\\s+(\\S+)$`, "m").exec(stdout)?.[1]

describe("loan-ledger keys", { timeout: 300_000 }, () => {
  it("creates a key, prints it once, stores only its HMAC, and records the creation", async () => {
    const created = await run(
      ["keys", "create", "--role", "senior_underwriter", "--description", "Night Shift Desk", "--expires-in-days", "7"],
      envFor(db)
    )
    expect(created.code, created.stderr).toBe(0)
    const id = field(created.stdout, "id")!
    const key = field(created.stdout, "key")!
    expect(key).toMatch(/^ak_su_[A-Za-z0-9_-]{43}$/)
    expect(field(created.stdout, "role")).toBe("senior_underwriter")

    const [row] = await query<{ key_hash: string; description: string; days: string; is_seed: boolean }>(
      db.adminUrl,
      "SELECT key_hash, description, round(extract(epoch FROM expires_at - created_at) / 86400)::text AS days, is_seed FROM api_keys WHERE id = $1",
      [id]
    )
    expect(row).toMatchObject({ description: "Night Shift Desk", days: "7", is_seed: false })
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/)
    const everything = JSON.stringify(await query(db.adminUrl, "SELECT * FROM api_keys")) +
      JSON.stringify(await query(db.adminUrl, "SELECT * FROM audit_events"))
    expect(everything.includes(key)).toBe(false)

    const events = await query<{ actor_type: string; actor_id: string; metadata: Record<string, unknown> }>(
      db.adminUrl,
      "SELECT actor_type, actor_id, metadata FROM audit_events WHERE application_id IS NULL AND event_type = 'key_management'"
    )
    expect(events).toEqual([expect.objectContaining({
      actor_type: "operator",
      actor_id: expect.stringMatching(/^cli:/),
      metadata: expect.objectContaining({ action: "created", key_id: id, role: "senior_underwriter" })
    })])

    const listed = await run(["keys", "list", "--json"], envFor(db))
    expect(listed.code, listed.stderr).toBe(0)
    const keys = (JSON.parse(listed.stdout) as { keys: Array<Listed> }).keys
    expect(keys).toEqual([expect.objectContaining({ id, role: "senior_underwriter", status: "active", isActive: true, isSeed: false })])
    expect(listed.stdout).not.toContain(key)
    expect(listed.stdout).not.toContain(row!.key_hash)

    const human = await run(["keys", "list"], envFor(db))
    expect(human.stdout).toContain(id)
    expect(human.stdout).toContain("Night Shift Desk")
  })

  it("revokes a key (an audited, idempotent deactivation) and refuses unknown ids with exit 2", async () => {
    const created = await run(["keys", "create", "--role", "loan_officer"], envFor(db))
    const id = field(created.stdout, "id")!
    const revoked = await run(["keys", "revoke", id], envFor(db))
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toContain(`revoked key ${id}`)
    const again = await run(["keys", "revoke", id], envFor(db))
    expect(again.code).toBe(0)
    const revocations = await query(
      db.adminUrl,
      "SELECT 1 FROM audit_events WHERE event_type = 'key_management' AND metadata->>'action' = 'revoked' AND metadata->>'key_id' = $1",
      [id]
    )
    expect(revocations).toHaveLength(1)
    const listed = JSON.parse((await run(["keys", "list", "--json"], envFor(db))).stdout) as { keys: Array<Listed> }
    expect(listed.keys.find((k) => k.id === id)).toMatchObject({ status: "revoked", isActive: false })

    const unknown = await run(["keys", "revoke", "00000000-0000-4000-8000-000000000000"], envFor(db))
    expect(unknown.code).toBe(2)
    expect(stderrLines(unknown)).toEqual(["loan-ledger: api_key 00000000-0000-4000-8000-000000000000 not found"])
  })

  it("lists an expired key as expired", async () => {
    const created = await run(["keys", "create", "--role", "reviewer", "--expires-in-days", "1"], envFor(db))
    const id = field(created.stdout, "id")!
    await query(db.adminUrl, "UPDATE api_keys SET expires_at = now() - interval '1 minute', created_at = now() - interval '2 days' WHERE id = $1", [id])
    const listed = JSON.parse((await run(["keys", "list", "--json"], envFor(db))).stdout) as { keys: Array<Listed> }
    expect(listed.keys.find((k) => k.id === id)).toMatchObject({ status: "expired", isActive: true })
  })
})
