/**
 * The error contract over real HTTP: every failure is an RFC 7807 problem
 * document with the status of ARCHITECTURE.md, carries the request id, and
 * never repeats what was sent.
 */
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Redacted from "effect/Redacted"
import type { Timestamp } from "@loan-ledger/domain"
import * as Fixtures from "../../domain/test/support/Fixtures.js"
import { InMemoryDatabase } from "../../domain/test/support/InMemory.js"
import { application, jsonBody, request } from "./support/Http.js"
import * as InMemoryServer from "./support/InMemoryServer.js"

let server: InMemoryServer.InMemoryServer

beforeAll(async () => {
  server = await InMemoryServer.start()
})
afterAll(() => server.close())

const expectProblem = (answer: { status: number; headers: Headers; json: any }, status: number, slug: string) => {
  expect(answer.status).toBe(status)
  expect(answer.headers.get("content-type")).toBe("application/problem+json")
  expect(answer.json).toMatchObject({ type: `/problems/${slug}`, status })
  expect(typeof answer.json.title).toBe("string")
  expect(typeof answer.json.detail).toBe("string")
  expect(typeof answer.json.instance).toBe("string")
  expect(answer.json.requestId).toBe(answer.headers.get("x-request-id"))
  expect(Array.isArray(answer.json.errors)).toBe(true)
}

describe("request ids", () => {
  it("echoes an acceptable X-Request-ID", async () => {
    const answer = await request(`${server.url}/health`, { headers: { "x-request-id": "abc-DEF_123" } })
    expect(answer.headers.get("x-request-id")).toBe("abc-DEF_123")
  })

  it("replaces a malicious or oversized X-Request-ID with a UUID", async () => {
    for (const hostile of ["<script>alert(1)</script>", "a b", "x".repeat(129), "id;rm -rf", ""]) {
      const answer = await request(`${server.url}/v1/applications`, { headers: { "x-request-id": hostile } })
      const id = answer.headers.get("x-request-id")
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(answer.json.requestId).toBe(id)
      expect(answer.text).not.toContain("script")
    }
  })

  it("puts the request id on 401s and in the access log line", async () => {
    const answer = await request(`${server.url}/v1/applications`, { headers: { "x-request-id": "trace-401" } })
    expect(answer.status).toBe(401)
    expect(answer.headers.get("x-request-id")).toBe("trace-401")
    const line = server.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === "trace-401" && l.message === "request")
    expect(line).toMatchObject({ method: "GET", path: "/v1/applications", status: 401 })
    expect(typeof line.durationMs).toBe("number")
  })
})

describe("401", () => {
  it("answers every bad credential identically, with WWW-Authenticate: Bearer", async () => {
    const expired = await server.run(
      Effect.map(
        Fixtures.seedKey("loan_officer", { expiresAt: "2020-01-01T00:00:00.000000Z" as Timestamp.Timestamp }),
        ({ key }) => Redacted.value(key)
      )
    )
    const bodies = []
    for (const authorization of [
      undefined,
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer not-a-key",
      "Bearer ak_lo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      `Bearer reviewer:${server.keys.loan_officer}x`,
      `Bearer ${expired}`
    ]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization }
      const answer = await request(`${server.url}/v1/applications`, { headers })
      expectProblem(answer, 401, "unauthenticated")
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/)
      bodies.push({ ...answer.json, requestId: undefined })
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1)
  })
})

describe("400", () => {
  it("rejects a non-UUID id without echoing it", async () => {
    const answer = await request(`${server.url}/v1/applications/900-12-3456`, { key: server.keys.reviewer })
    expectProblem(answer, 400, "invalid-parameters")
    expect(answer.json.errors).toEqual([{ field: "id", message: "must be a UUID" }])
    expect(answer.text).not.toContain("900-12-3456")
    expect(answer.json.instance).toBe("/v1/applications/*")
  })

  it("rejects bad query parameters, a limit above its maximum included", async () => {
    for (const [query, field, sent] of [
      ["limit=101", "limit", "101"],
      ["limit=0", "limit", undefined],
      ["limit=1e2", "limit", "1e2"],
      ["limit=7777777", "limit", "7777777"],
      ["limit=abc", "limit", "abc"],
      ["status=approvedX", "status", "approvedX"],
      ["cursor=%3Cbad%3E", "cursor", "<bad>"]
    ] as const) {
      const answer = await request(`${server.url}/v1/applications?${query}`, { key: server.keys.reviewer })
      expectProblem(answer, 400, "invalid-parameters")
      expect(answer.json.errors.map((e: any) => e.field)).toEqual([field])
      if (sent !== undefined) expect(answer.text).not.toContain(sent)
    }
  })

  it("rejects a malformed JSON body", async () => {
    const answer = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      body: '{"borrowerName": "Jane", ',
      headers: { "content-type": "application/json" }
    })
    expectProblem(answer, 400, "malformed-body")
  })

  it("rejects an unknown cursor the use case cannot read", async () => {
    const answer = await request(`${server.url}/v1/applications?cursor=bm9wZQ`, { key: server.keys.reviewer })
    expectProblem(answer, 400, "invalid-parameters")
  })
})

describe("415 and 413", () => {
  it("rejects a body that is not JSON", async () => {
    const answer = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      body: "borrowerName=Jane",
      headers: { "content-type": "application/x-www-form-urlencoded" }
    })
    expectProblem(answer, 415, "unsupported-content-type")
  })

  it("rejects an oversized JSON body", async () => {
    const answer = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application({ borrowerName: "x".repeat(200_000) }))
    })
    expectProblem(answer, 413, "payload-too-large")
  })
})

describe("422", () => {
  it("reports every invalid field without quoting values", async () => {
    const answer = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application({ ssn: "900-12-34567", loanAmount: 250000, extra: "field-value-xyz" }))
    })
    expectProblem(answer, 422, "validation-failed")
    const fields = answer.json.errors.map((e: any) => e.field).sort()
    expect(fields).toEqual(["extra", "loanAmount", "ssn"])
    expect(answer.text).not.toContain("900-12-34567")
    expect(answer.text).not.toContain("250000")
    expect(answer.text).not.toContain("field-value-xyz")
  })

  it("refuses a status other than submitted or withdrawn", async () => {
    const created = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application())
    })
    const answer = await request(`${server.url}/v1/applications/${created.json.data.id}`, {
      method: "PATCH",
      key: server.keys.loan_officer,
      ...jsonBody({ status: "approved" })
    })
    expectProblem(answer, 422, "validation-failed")
    expect(answer.json.errors).toEqual([{ field: "status", message: "must be submitted or withdrawn" }])
  })
})

describe("404 and 403", () => {
  it("answers an unknown path with a problem document", async () => {
    const answer = await request(`${server.url}/v2/nothing?ssn=900-12-3456`)
    expectProblem(answer, 404, "not-found")
    // Unknown segments are masked: a path is something the client typed.
    expect(answer.json.instance).toBe("/*/*")
  })

  it("never names the role a 403 would have needed", async () => {
    const answer = await request(`${server.url}/v1/auth/keys`, { key: server.keys.loan_officer })
    expectProblem(answer, 403, "forbidden")
    for (const role of ["reviewer", "senior_underwriter", "loan_officer", "role"]) {
      expect(answer.text.toLowerCase()).not.toContain(role)
    }
  })
})

describe("500", () => {
  it("answers a defect with a generic problem and the request id, never a stack or the cause", async () => {
    // The next audit append dies: a broken invariant, not the caller's fault.
    await server.run(Effect.map(InMemoryDatabase, (db) => {
      db.state.failNextAppend = true
    }))
    const answer = await request(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application())
    })
    expectProblem(answer, 500, "internal-error")
    expect(answer.text).not.toMatch(/at |Error:|append|stack/i)
    const logged = server.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === answer.json.requestId && l.level === "ERROR")
    expect(logged?.cause).toBeDefined()
  })
})

describe("requests Node itself rejects", () => {
  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = Net.connect(Number(new URL(server.url).port), "127.0.0.1")
      let data = ""
      socket.on("data", (chunk) => (data += chunk.toString("latin1")))
      socket.on("end", () => resolve(data))
      socket.on("error", reject)
      socket.write(text)
    })

  it("answers malformed HTTP and oversized headers with a problem document", async () => {
    const bad = await raw("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    expect(bad).toMatch(/^HTTP\/1\.1 400 /)
    expect(bad).toContain("application/problem+json")
    expect(JSON.parse(bad.slice(bad.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 400, type: "/problems/bad-request" })
    const big = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)
    expect(big).toMatch(/^HTTP\/1\.1 431 /)
  })
})
