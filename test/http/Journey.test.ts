/**
 * Issue 6 over real HTTP on a random port against real PostgreSQL, with the
 * server composed exactly as `loan-ledger serve` composes it (Main.layer):
 * the journey with the seed keys (created by `loan-ledger seed`), role
 * boundaries and officer isolation, readiness while the database goes away
 * and comes back, a chain lock not obtained in time, and a scan of
 * everything said and logged for the seed's PII.
 */
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeedData from "../../packages/cli/src/seed/SeedData.js"
import * as Fixtures from "../../packages/cli/src/seed/Fixtures.js"
import { application, jsonBody, request, upload, type Answer } from "../../packages/http/test/support/Http.js"
import { envFor, run } from "../cli/support/cli.js"
import { clusterAdminUrl, createTestDatabase, type TestDatabase } from "../support/database.js"
import * as RealServer from "./support/RealServer.js"

let db: TestDatabase
let server: RealServer.RealServer
let keys: Record<"loan_officer" | "senior_underwriter" | "reviewer", string>
const logs: Array<string> = []
const said: Array<string> = []

const call = async (path: string, init: Parameters<typeof request>[1] = {}): Promise<Answer> => {
  const answer = await request(`${server.url}${path}`, init)
  said.push(JSON.stringify([...answer.headers]), answer.text)
  return answer
}

const LOCK_TIMEOUT_MS = "400"

beforeAll(async () => {
  db = await createTestDatabase()
  const seeded = await run(["seed"], envFor(db))
  expect(seeded.code, seeded.stderr).toBe(0)
  keys = RealServer.seedKeysFrom(seeded.stdout)
  server = await RealServer.start(RealServer.settingsFor(db, { LOCK_TIMEOUT_MS }), logs)
}, 180_000)

afterAll(async () => {
  await server?.close()
  await db?.drop()
})

const realPdf = () => Fixtures.pdf("Earnings Statement - June 2025", ["Employee: Test Borrower", "Gross pay: 4,200.00"])

describe("the journey with the seed keys", () => {
  it("creates, uploads a real PDF, submits, reads the detail and the trail; the CLI then verifies the chain", async () => {
    const created = await call("/v1/applications", { method: "POST", key: keys.loan_officer, ...jsonBody(application()) })
    expect(created.status).toBe(201)
    const id = created.json.data.id
    expect(created.headers.get("location")).toBe(`/v1/applications/${id}`)
    expect(created.json.data.ssn).toBe("***-**-3456")

    const uploaded = await call(`/v1/applications/${id}/documents`, {
      method: "POST",
      key: keys.loan_officer,
      body: upload(realPdf(), "pay stub (June).pdf")
    })
    expect(uploaded.status).toBe(201)
    expect(uploaded.json.data).toMatchObject({ mediaType: "application/pdf", applicationId: id })

    const submitted = await call(`/v1/applications/${id}`, { method: "PATCH", key: keys.loan_officer, ...jsonBody({ status: "submitted" }) })
    expect(submitted.status).toBe(200)
    expect(submitted.json.data.status).toBe("processing")

    const detail = await call(`/v1/applications/${id}`, { key: keys.loan_officer })
    expect(detail.json.data.documents).toHaveLength(1)
    expect(detail.json.data.accountNumbers).toBe("[REDACTED]")

    const download = await fetch(`${server.url}/v1/documents/${uploaded.json.data.id}/download`, {
      headers: { authorization: `Bearer ${keys.loan_officer}` }
    })
    expect(download.status).toBe(200)
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(realPdf())

    const trail = await call(`/v1/applications/${id}/audit-events?limit=200`, { key: keys.loan_officer })
    expect(trail.json.data.map((e: any) => e.eventType)).toEqual([
      "state_transition",
      "document_upload",
      "state_transition",
      "state_transition",
      "document_access"
    ])
    expect(trail.json.data.slice(2, 4).map((e: any) => [e.previousState, e.newState])).toEqual([
      ["draft", "submitted"],
      ["submitted", "processing"]
    ])

    const verified = await run(["verify", "--application", id, "--json"], envFor(db))
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toContain("intact")
  })
})

describe("role boundaries and officer isolation", () => {
  it("keeps another officer's applications and documents out of sight (404, not 403)", async () => {
    const other = await call("/v1/auth/keys", { method: "POST", key: keys.reviewer, ...jsonBody({ role: "loan_officer" }) })
    expect(other.status).toBe(201)
    const otherKey = other.json.data.key
    const seeded = SeedData.applications[0]!.id
    expect((await call(`/v1/applications/${seeded}`, { key: keys.loan_officer })).status).toBe(200)
    expect((await call(`/v1/applications/${seeded}`, { key: keys.senior_underwriter })).status).toBe(200)
    expect((await call(`/v1/applications/${seeded}`, { key: otherKey })).status).toBe(404)
    expect((await call(`/v1/applications/${seeded}/documents`, { key: otherKey })).status).toBe(404)
    expect((await call(`/v1/applications/${seeded}/audit-events`, { key: otherKey })).status).toBe(404)
    const list = await call("/v1/applications", { key: otherKey })
    expect(list.json.data).toEqual([])
    const docId = SeedData.applications[0]!.documents[0]!.id
    expect((await call(`/v1/documents/${docId}`, { key: otherKey })).status).toBe(404)
    expect((await call(`/v1/documents/${docId}/download`, { key: otherKey })).status).toBe(404)
    expect((await call(`/v1/documents/${docId}`, { key: keys.loan_officer })).status).toBe(200)
  })

  it("lets only reviewers manage keys, and never a key revoke itself", async () => {
    for (const key of [keys.loan_officer, keys.senior_underwriter]) {
      const answer = await call("/v1/auth/keys", { key })
      expect(answer.status).toBe(403)
      expect(answer.text).not.toMatch(/reviewer|underwriter|officer/i)
    }
    expect((await call("/v1/auth/keys", { key: keys.reviewer })).status).toBe(200)
    const self = await call(`/v1/auth/keys/${SeedData.keys.reviewer.id}`, { method: "DELETE", key: keys.reviewer })
    expect(self.status).toBe(409)
  })

  it("answers 401 the same way for unknown, revoked and malformed keys, and records them", async () => {
    const created = await call("/v1/auth/keys", { method: "POST", key: keys.reviewer, ...jsonBody({ role: "loan_officer" }) })
    const revoked = created.json.data.key
    expect((await call(`/v1/auth/keys/${created.json.data.id}`, { method: "DELETE", key: keys.reviewer })).status).toBe(204)
    const answers = await Promise.all(
      [revoked, `ak_lo_${"A".repeat(43)}`, "garbage"].map((key) => call("/v1/applications", { key }))
    )
    for (const answer of answers) {
      expect(answer.status).toBe(401)
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/)
    }
    expect(new Set(answers.map((a) => JSON.stringify({ ...a.json, requestId: null }))).size).toBe(1)
    const client = new pg.Client({ connectionString: db.adminUrl })
    await client.connect()
    try {
      const { rows } = await client.query(
        "SELECT metadata->>'reason' AS reason FROM audit_events WHERE event_type = 'auth_event' ORDER BY id"
      )
      expect(rows.map((r) => r.reason)).toEqual(expect.arrayContaining(["inactive", "unknown_key", "malformed"]))
    } finally {
      await client.end()
    }
  })

  it("answers the 4xx of the contract over PostgreSQL", async () => {
    expect((await call("/v1/applications/not-a-uuid", { key: keys.loan_officer })).status).toBe(400)
    expect((await call("/v1/applications?limit=101", { key: keys.loan_officer })).status).toBe(400)
    expect((await call("/v1/applications?cursor=AAAA", { key: keys.loan_officer })).status).toBe(400)
    const malformed = await call("/v1/applications", {
      method: "POST",
      key: keys.loan_officer,
      body: "{",
      headers: { "content-type": "application/json" }
    })
    expect(malformed.status).toBe(400)
    const unknownField = await call("/v1/applications", {
      method: "POST",
      key: keys.loan_officer,
      ...jsonBody(application({ isAdmin: true }))
    })
    expect(unknownField.status).toBe(422)
    const approved = SeedData.applications.find((a) => a.status === "approved")!
    const move = await call(`/v1/applications/${approved.id}`, { method: "PATCH", key: keys.senior_underwriter, ...jsonBody({ status: "withdrawn" }) })
    expect(move.status).toBe(409)
    expect(move.json.detail).toContain("approved")
    expect(move.json.detail).toContain("withdrawn")
    const upload415 = await call(`/v1/applications/${approved.id}/documents`, {
      method: "POST",
      key: keys.senior_underwriter,
      body: upload(new TextEncoder().encode("GIF89a...."))
    })
    expect([409, 415]).toContain(upload415.status)
  })
})

describe("retry", () => {
  it("moves a processing_error application back to processing once: 202, and the concurrent retry 409", async () => {
    const failed = SeedData.applications.find((a) => a.status === "processing_error")!
    const retry = () => call(`/v1/applications/${failed.id}/retry`, { method: "POST", key: keys.senior_underwriter })
    const answers = await Promise.all([retry(), retry()])
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409])
    const accepted = answers.find((a) => a.status === 202)!
    expect(accepted.json.data.status).toBe("processing")
    const draft = SeedData.applications.find((a) => a.status === "draft")!
    const notFailed = await call(`/v1/applications/${draft.id}/retry`, { method: "POST", key: keys.senior_underwriter })
    expect(notFailed.status).toBe(409)
  })
})

describe("races resolve to one valid outcome", () => {
  it("a double-clicked submit: one 200, one 409", async () => {
    const created = await call("/v1/applications", { method: "POST", key: keys.loan_officer, ...jsonBody(application()) })
    const id = created.json.data.id
    await call(`/v1/applications/${id}/documents`, { method: "POST", key: keys.loan_officer, body: upload(realPdf()) })
    const submit = () => call(`/v1/applications/${id}`, { method: "PATCH", key: keys.loan_officer, ...jsonBody({ status: "submitted" }) })
    const answers = await Promise.all([submit(), submit()])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
  })

  it("26 parallel uploads: 25 stored, the 26th 409", async () => {
    const created = await call("/v1/applications", { method: "POST", key: keys.loan_officer, ...jsonBody(application()) })
    const id = created.json.data.id
    const answers = await Promise.all(
      Array.from({ length: 26 }, (_, i) =>
        call(`/v1/applications/${id}/documents`, {
          method: "POST",
          key: keys.loan_officer,
          body: upload(Fixtures.pdf(`Page ${i}`, [`line ${i}`]))
        }))
    )
    expect(answers.filter((a) => a.status === 201)).toHaveLength(25)
    expect(answers.filter((a) => a.status === 409)).toHaveLength(1)
    const listed = await call(`/v1/applications/${id}/documents?limit=100`, { key: keys.loan_officer })
    expect(listed.json.data).toHaveLength(25)
  })
})

const withAdmin = async <A>(url: string, use: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

const until = async (probe: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 100; i++) {
    if (await probe()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

describe("readiness", () => {
  it("turns 503 while the database refuses connections and 200 when it is back, without a restart", async () => {
    expect((await call("/ready")).status).toBe(200)
    await withAdmin(clusterAdminUrl(), async (admin) => {
      await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS false`)
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [db.name])
      try {
        await until(async () => (await call("/ready")).status === 503, "/ready to answer 503")
        const degraded = await call("/ready")
        expect(degraded.json).toEqual({ status: "degraded", checks: { database: "unreachable" } })
        expect((await call("/health")).status).toBe(200)
      } finally {
        await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`)
      }
    })
    await until(async () => (await call("/ready")).status === 200, "/ready to answer 200 again")
    expect((await call("/v1/applications", { key: keys.reviewer })).status).toBe(200)
  })
})

describe("a chain lock not obtained in time", () => {
  it("answers 503 with Retry-After and writes nothing", async () => {
    const created = await call("/v1/applications", { method: "POST", key: keys.loan_officer, ...jsonBody(application()) })
    const id = created.json.data.id
    expect((await call(`/v1/applications/${id}/documents`, { method: "POST", key: keys.loan_officer, body: upload(realPdf()) })).status).toBe(201)
    const count = (client: pg.Client) =>
      client.query("SELECT count(*)::int AS n FROM audit_events WHERE application_id = $1", [id]).then((r) => r.rows[0].n as number)

    await withAdmin(db.adminUrl, async (holder) => {
      const before = await count(holder)
      await holder.query("BEGIN")
      await holder.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [0x4c4c4155, ChainKey.toString(ChainKey.application(id))])
      const busy = await call(`/v1/applications/${id}`, { method: "PATCH", key: keys.loan_officer, ...jsonBody({ status: "submitted" }) })
      await holder.query("ROLLBACK")
      expect(busy.status).toBe(503)
      expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(busy.json.type).toBe("/problems/busy")
      expect(await count(holder)).toBe(before)
      const status = await holder.query("SELECT status FROM loan_applications WHERE id = $1", [id])
      expect(status.rows[0].status).toBe("draft")
    })
  })
})

describe("PII", () => {
  it("appears in no response and no log line of this run", async () => {
    const secrets = SeedData.applications.flatMap((a) => [a.ssn, a.ssn.replace(/-/g, ""), ...(a.accountNumbers ?? []), ...(a.governmentId === undefined ? [] : [a.governmentId])])
    secrets.push("900-12-3456", "DE89370400440532013000", "X1234567")
    for (const app of SeedData.applications.slice(0, 3)) {
      await call(`/v1/applications/${app.id}`, { key: keys.senior_underwriter })
      await call(`/v1/applications/${app.id}/audit-events?limit=200`, { key: keys.senior_underwriter })
    }
    const everything = [...logs, ...said].join("\n")
    expect(logs.length).toBeGreaterThan(10)
    for (const secret of secrets) expect(everything).not.toContain(secret)
    for (const key of Object.values(keys)) expect(everything).not.toContain(key)
  })
})
