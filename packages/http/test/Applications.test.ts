/**
 * The application lifecycle over real HTTP (in-memory ports): envelopes,
 * Location, masking, officer isolation, status changes and their errors,
 * the audit trail and API keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { application, jsonBody, pdf, request, upload } from "./support/Http.js"
import * as InMemoryServer from "./support/InMemoryServer.js"

let server: InMemoryServer.InMemoryServer
beforeAll(async () => {
  server = await InMemoryServer.start()
})
afterAll(() => server.close())

const create = async (key: string, overrides: Record<string, unknown> = {}) => {
  const answer = await request(`${server.url}/v1/applications`, {
    method: "POST",
    key,
    ...jsonBody(application(overrides))
  })
  expect(answer.status).toBe(201)
  return answer
}

const patch = (key: string, id: string, status: string) =>
  request(`${server.url}/v1/applications/${id}`, { method: "PATCH", key, ...jsonBody({ status }) })

describe("creating and reading applications", () => {
  it("answers 201 with Location and masks every PII field", async () => {
    const answer = await create(server.keys.loan_officer)
    const data = answer.json.data
    expect(answer.headers.get("location")).toBe(`/v1/applications/${data.id}`)
    expect(data).toMatchObject({
      status: "draft",
      ssn: "***-**-3456",
      accountNumbers: "[REDACTED]",
      governmentId: "[REDACTED]",
      loanAmount: "250000.00",
      annualIncome: "98000.50"
    })
    for (const secret of ["900-12-3456", "900123456", "DE89370400440532013000", "12345678", "X1234567"]) {
      expect(answer.text).not.toContain(secret)
    }
  })

  it("takes the issue 6 request shape and refuses what does not fit it with 422", async () => {
    const ok = await create(server.keys.loan_officer)
    expect(ok.json.data).toMatchObject({
      monthlyDebts: "1250.00",
      propertyValue: "400000.00",
      interestRate: "6.875",
      propertyAddress: { state: "IL", zip: "62701" }
    })
    const bad = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application({
        ssn: "900123456",
        monthlyDebts: "12.345",
        propertyAddress: { street: "1 Test Way", city: "Springfield", state: "Illinois", zip: "627" },
        accountNumbers: Array.from({ length: 11 }, () => "12345678"),
        borrowerName: ""
      }))
    })
    expect(bad.status).toBe(422)
    expect(bad.json.errors.map((e: any) => e.field).sort()).toEqual([
      "accountNumbers",
      "borrowerName",
      "monthlyDebts",
      "propertyAddress.state",
      "propertyAddress.zip",
      "ssn"
    ])
    expect(bad.text).not.toContain("900123456")
  })

  it("reads an application with its documents, and hides it from another officer", async () => {
    const { json } = await create(server.keys.loan_officer)
    const mine = await request(`${server.url}/v1/applications/${json.data.id}`, { key: server.keys.loan_officer })
    expect(mine.status).toBe(200)
    expect(mine.json.data).toMatchObject({ id: json.data.id, documents: [] })
    const senior = await request(`${server.url}/v1/applications/${json.data.id}`, { key: server.keys.senior_underwriter })
    expect(senior.status).toBe(200)
    const other = await request(`${server.url}/v1/applications/${json.data.id}`, { key: server.keys.other_officer })
    const unknown = await request(`${server.url}/v1/applications/00000000-0000-4000-8000-000000000000`, {
      key: server.keys.other_officer
    })
    expect(other.status).toBe(404)
    expect(unknown.status).toBe(404)
    // Indistinguishable apart from the id each asked for.
    expect(other.json.title).toBe(unknown.json.title)
    expect(other.json.type).toBe(unknown.json.type)
  })

  it("lists newest first, an officer's own only, in pages", async () => {
    const a = await create(server.keys.other_officer)
    const b = await create(server.keys.other_officer)
    const first = await request(`${server.url}/v1/applications?limit=1`, { key: server.keys.other_officer })
    expect(first.status).toBe(200)
    expect(first.json.data.map((x: any) => x.id)).toEqual([b.json.data.id])
    expect(first.json.pagination).toMatchObject({ hasMore: true })
    const second = await request(
      `${server.url}/v1/applications?limit=1&cursor=${first.json.pagination.nextCursor}`,
      { key: server.keys.other_officer }
    )
    expect(second.json.data.map((x: any) => x.id)).toEqual([a.json.data.id])
    expect(second.json.pagination).toEqual({ nextCursor: null, hasMore: false })
    const filtered = await request(`${server.url}/v1/applications?status=submitted`, { key: server.keys.other_officer })
    expect(filtered.json.data).toEqual([])
  })
})

describe("status changes", () => {
  it("refuses to submit without documents (422), then submits to processing with two events", async () => {
    const { json } = await create(server.keys.loan_officer)
    const id = json.data.id
    const empty = await patch(server.keys.loan_officer, id, "submitted")
    expect(empty.status).toBe(422)
    expect(empty.json.type).toBe("/problems/no-documents")

    const uploaded = await request(`${server.url}/v1/applications/${id}/documents`, {
      method: "POST",
      key: server.keys.loan_officer,
      body: upload(pdf())
    })
    expect(uploaded.status).toBe(201)

    const submitted = await patch(server.keys.loan_officer, id, "submitted")
    expect(submitted.status).toBe(200)
    expect(submitted.json.data.status).toBe("processing")

    const trail = await request(`${server.url}/v1/applications/${id}/audit-events`, { key: server.keys.loan_officer })
    expect(trail.status).toBe(200)
    const moves = trail.json.data
      .filter((e: any) => e.eventType === "state_transition")
      .map((e: any) => [e.previousState, e.newState])
    expect(moves).toEqual([[null, "draft"], ["draft", "submitted"], ["submitted", "processing"]])
    expect(trail.json.data.map((e: any) => e.eventType)).toContain("document_upload")
    expect(trail.json.data[0].prevEventHash).toBe("0".repeat(64))

    const withdraw = await patch(server.keys.loan_officer, id, "withdrawn")
    expect(withdraw.status).toBe(409)
    expect(withdraw.json.type).toBe("/problems/invalid-transition")
    expect(withdraw.json.detail).toContain("processing")
    expect(withdraw.json.detail).toContain("withdrawn")

    const retry = await request(`${server.url}/v1/applications/${id}/retry`, { method: "POST", key: server.keys.senior_underwriter })
    expect(retry.status).toBe(409)

    const late = await request(`${server.url}/v1/applications/${id}/documents`, {
      method: "POST",
      key: server.keys.loan_officer,
      body: upload(pdf())
    })
    expect(late.status).toBe(409)
  })

  it("withdraws a draft, and another officer cannot touch it", async () => {
    const { json } = await create(server.keys.loan_officer)
    expect((await patch(server.keys.other_officer, json.data.id, "withdrawn")).status).toBe(404)
    const withdrawn = await patch(server.keys.loan_officer, json.data.id, "withdrawn")
    expect(withdrawn.status).toBe(200)
    expect(withdrawn.json.data.status).toBe("withdrawn")
  })

  it("filters the audit trail by type and date, and rejects a date without offset", async () => {
    const before = new Date(Date.now() - 60_000).toISOString()
    const { json } = await create(server.keys.loan_officer)
    const base = `${server.url}/v1/applications/${json.data.id}/audit-events`
    const typed = await request(`${base}?eventType=document_upload`, { key: server.keys.loan_officer })
    expect(typed.json.data).toEqual([])
    const dated = await request(`${base}?dateFrom=${encodeURIComponent(before)}`, { key: server.keys.loan_officer })
    expect(dated.json.data).toHaveLength(1)
    const future = await request(`${base}?dateTo=${encodeURIComponent(before)}`, { key: server.keys.loan_officer })
    expect(future.json.data).toHaveLength(0)
    const naive = await request(`${base}?dateFrom=2026-01-01T00:00:00`, { key: server.keys.loan_officer })
    expect(naive.status).toBe(400)
    expect(naive.json.errors[0].field).toBe("dateFrom")
    const big = await request(`${base}?limit=201`, { key: server.keys.loan_officer })
    expect(big.status).toBe(400)
    const max = await request(`${base}?limit=200`, { key: server.keys.loan_officer })
    expect(max.status).toBe(200)
  })
})

describe("API keys", () => {
  it("lets a reviewer create, list and revoke keys; the key works until revoked", async () => {
    const created = await request(`${server.url}/v1/auth/keys`, {
      method: "POST",
      key: server.keys.reviewer,
      ...jsonBody({ role: "loan_officer", description: "branch 12" })
    })
    expect(created.status).toBe(201)
    const key = created.json.data.key
    expect(key).toMatch(/^ak_lo_[A-Za-z0-9_-]{43}$/)
    expect(created.headers.get("location")).toBe(`/v1/auth/keys/${created.json.data.id}`)
    expect((await request(`${server.url}/v1/applications`, { key })).status).toBe(200)

    const list = await request(`${server.url}/v1/auth/keys?limit=100`, { key: server.keys.reviewer })
    expect(list.status).toBe(200)
    expect(list.text).not.toContain(key)

    const revoke = () => request(`${server.url}/v1/auth/keys/${created.json.data.id}`, { method: "DELETE", key: server.keys.reviewer })
    expect((await revoke()).status).toBe(204)
    expect((await revoke()).status).toBe(204)
    expect((await request(`${server.url}/v1/applications`, { key })).status).toBe(401)
  })

  it("refuses keys to non-reviewers (403), unknown ids (404), a reviewer's own key (409) and a bad body (422)", async () => {
    for (const key of [server.keys.loan_officer, server.keys.senior_underwriter]) {
      expect((await request(`${server.url}/v1/auth/keys`, { key })).status).toBe(403)
      const post = await request(`${server.url}/v1/auth/keys`, { method: "POST", key, ...jsonBody({ role: "reviewer" }) })
      expect(post.status).toBe(403)
      const invalid = await request(`${server.url}/v1/auth/keys`, { method: "POST", key, ...jsonBody({ nonsense: true }) })
      expect(invalid.status).toBe(403)
    }
    const unknown = await request(`${server.url}/v1/auth/keys/00000000-0000-4000-8000-000000000000`, {
      method: "DELETE",
      key: server.keys.reviewer
    })
    expect(unknown.status).toBe(404)
    const mine = await request(`${server.url}/v1/auth/keys?limit=100`, { key: server.keys.reviewer })
    expect(mine.status).toBe(200)
    const bad = await request(`${server.url}/v1/auth/keys`, {
      method: "POST",
      key: server.keys.reviewer,
      ...jsonBody({ role: "admin", expiresInDays: 366 })
    })
    expect(bad.status).toBe(422)
    expect(bad.json.errors.map((e: any) => e.field).sort()).toEqual(["expiresInDays", "role"])
  })
})
