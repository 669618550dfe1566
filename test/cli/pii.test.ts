/**
 * `loan-ledger pii rotate` against a real PostgreSQL: K1 (id 1) becomes the
 * previous key, a new K2 (id 2) the current one; an interrupted rotation is
 * finished by running it again, after which everything decrypts with K2 alone.
 */
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeedData from "../../packages/cli/src/seed/SeedData.js"
import { render } from "../../packages/cli/src/seed/SeedDocuments.js"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run, stderrLines, TEST_ENCRYPTION_KEY } from "./support/cli.js"
import { query } from "./support/sql.js"
import { verifyWithCli } from "./support/verify.js"

const K1 = TEST_ENCRYPTION_KEY
const K2 = Crypto.randomBytes(32).toString("base64url") + "="
const K3 = Crypto.randomBytes(32).toString("base64url") + "="

let db: TestDatabase

const rotating = () =>
  envFor(db, {
    ENCRYPTION_KEY: K2,
    ENCRYPTION_KEY_ID: "2",
    ENCRYPTION_KEY_PREVIOUS: K1,
    ENCRYPTION_KEY_PREVIOUS_ID: "1",
    PII_ROTATION_BATCH_SIZE: "1"
  })

beforeAll(async () => {
  db = await createTestDatabase()
  const seeded = await run(["seed"], envFor(db))
  expect(seeded.code, seeded.stderr).toBe(0)
}, 300_000)

afterAll(async () => {
  await db?.drop()
})

interface Stored {
  readonly kind: string
  readonly id: string
  readonly value: Buffer
}

const storedCiphertexts = async (): Promise<ReadonlyArray<Stored>> =>
  query<{ kind: string; id: string; value: Buffer }>(
    db.adminUrl,
    `SELECT 'ssn' AS kind, id::text AS id, ssn_encrypted AS value FROM loan_applications
     UNION ALL SELECT 'accounts', id::text, account_numbers_encrypted FROM loan_applications WHERE account_numbers_encrypted IS NOT NULL
     UNION ALL SELECT 'government_id', id::text, government_id_encrypted FROM loan_applications WHERE government_id_encrypted IS NOT NULL
     UNION ALL SELECT 'document', document_id::text, content_encrypted FROM document_contents`
  )

/** The vault with `current` only: no previous key to fall back on. */
const decryptWith = (key: string, id: number) => (ciphertext: Uint8Array) =>
  Effect.runPromise(
    Effect.flatMap(
      FernetKeyRing.make({ current: { id, key: Redacted.make(key) }, previous: Option.none() }),
      (vault) => Effect.map(vault.decrypt(ciphertext), (bytes) => Buffer.from(Redacted.value(bytes)))
    )
  )

const expectedPlaintext = (stored: Stored): Buffer => {
  if (stored.kind === "document") {
    const document = SeedData.applications.flatMap((a) => a.documents).find((d) => d.id === stored.id)!
    return Buffer.from(render(document))
  }
  const app = SeedData.applications.find((a) => a.id === stored.id)!
  switch (stored.kind) {
    case "ssn":
      return Buffer.from(app.ssn)
    case "accounts":
      return Buffer.from(JSON.stringify(app.accountNumbers))
    default:
      return Buffer.from(app.governmentId!)
  }
}

describe("loan-ledger pii rotate", { timeout: 300_000 }, () => {
  it("resumes after being killed mid-way, then everything decrypts with K2 alone", async () => {
    const before = await storedCiphertexts()
    expect(before.every((s) => s.value[0] === 1)).toBe(true)

    // Killed right after its first batch committed.
    const interrupted = await run(["pii", "rotate"], rotating(), {
      onSpawn: (child) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          if (chunk.toString("utf8").includes("re-encrypted")) child.kill("SIGKILL")
        })
      }
    })
    expect(interrupted.code).toBeNull()
    const partial = await storedCiphertexts()
    const underK2 = partial.filter((s) => s.value[0] === 2).length
    expect(underK2).toBeGreaterThan(0)
    expect(underK2).toBeLessThan(partial.length)
    // Half-way, every value is still readable with the ring of both keys.
    for (const s of partial) {
      const plain = await (s.value[0] === 2 ? decryptWith(K2, 2) : decryptWith(K1, 1))(s.value)
      expect(plain.equals(expectedPlaintext(s)), `${s.kind} ${s.id}`).toBe(true)
    }

    const resumed = await run(["pii", "rotate"], rotating())
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toContain("ENCRYPTION_KEY_PREVIOUS can now be removed")

    const after = await storedCiphertexts()
    expect(after).toHaveLength(before.length)
    for (const s of after) {
      expect(s.value[0]).toBe(2)
      const plain = await decryptWith(K2, 2)(s.value)
      expect(plain.equals(expectedPlaintext(s)), `${s.kind} ${s.id}`).toBe(true)
    }

    const events = await query<{ metadata: Record<string, unknown>; actor_type: string }>(
      db.adminUrl,
      "SELECT metadata, actor_type FROM audit_events WHERE application_id IS NULL AND event_type = 'maintenance' ORDER BY audit_events.id"
    )
    expect(events.at(-1)).toMatchObject({
      actor_type: "operator",
      metadata: { action: "pii_rotate", key_id: 2, from_key_ids: [1], applications_remaining: 0, documents_remaining: 0 }
    })

    // Without the previous key, with K2 alone, the system still reads and verifies everything.
    const k2Only = envFor(db, { ENCRYPTION_KEY: K2, ENCRYPTION_KEY_ID: "2" })
    const again = await run(["pii", "rotate"], k2Only)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain("nothing to do")
    const verified = await verifyWithCli(db)
    expect(verified.code, verified.stderr).toBe(0)
  })

  it("names the missing key when a value's key id is not configured (exit 2)", async () => {
    const result = await run(["pii", "rotate"], envFor(db, { ENCRYPTION_KEY: K3, ENCRYPTION_KEY_ID: "3" }))
    expect(result.code).toBe(2)
    expect(stderrLines(result)).toHaveLength(1)
    expect(result.stderr).toContain("key id 2, which is not configured")
    expect(result.stderr).toContain("ENCRYPTION_KEY_PREVIOUS_ID=2")
    // Nothing changed: every value is still under K2.
    expect((await storedCiphertexts()).every((s) => s.value[0] === 2)).toBe(true)
  })

  it("refuses an invalid key ring before touching anything (exit 2)", async () => {
    const result = await run(["pii", "rotate"], envFor(db, { ENCRYPTION_KEY: "not-a-key" }))
    expect(result.code).toBe(2)
    expect(stderrLines(result)).toHaveLength(1)
    expect(result.stderr).toContain("ENCRYPTION_KEY must be a Fernet key")
    expect(result.stderr).not.toContain("not-a-key")
  })
})
