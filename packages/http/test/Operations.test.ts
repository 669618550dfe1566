/**
 * Operations over real HTTP (in-memory ports): liveness and readiness,
 * the OpenAPI document and Swagger UI, a chain lock timeout, the access log,
 * and the absence of PII in everything the server said or wrote.
 */
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ChainKey } from "@loan-ledger/domain"
import { InMemoryDatabase } from "../../domain/test/support/InMemory.js"
import { application, jsonBody, pdf, request, upload } from "./support/Http.js"
import * as InMemoryServer from "./support/InMemoryServer.js"

let server: InMemoryServer.InMemoryServer
const responses: Array<string> = []
const call = async (...args: Parameters<typeof request>) => {
  const answer = await request(...args)
  responses.push(JSON.stringify([...answer.headers]), answer.text)
  return answer
}

beforeAll(async () => {
  server = await InMemoryServer.start({ lockTimeout: "200 millis" })
})
afterAll(() => server.close())

describe("health", () => {
  it("answers /health, and /ready turns 503 while the database is away and back to 200", async () => {
    expect((await call(`${server.url}/health`)).json).toEqual({ status: "ok" })
    const ready = await call(`${server.url}/ready`)
    expect(ready.status).toBe(200)
    expect(ready.json).toEqual({ status: "ok", checks: { database: "ok" } })
    server.database.up = false
    const down = await call(`${server.url}/ready`)
    expect(down.status).toBe(503)
    expect(down.json).toEqual({ status: "degraded", checks: { database: "unreachable" } })
    server.database.up = true
    expect((await call(`${server.url}/ready`)).status).toBe(200)
  })
})

describe("documentation", () => {
  it("serves the OpenAPI document generated from the contract", async () => {
    const spec = await call(`${server.url}/openapi.json`)
    expect(spec.status).toBe(200)
    expect(spec.json.openapi).toBe("3.1.0")
    for (const path of [
      "/v1/applications",
      "/v1/applications/{id}",
      "/v1/applications/{id}/retry",
      "/v1/applications/{id}/documents",
      "/v1/documents/{id}",
      "/v1/documents/{id}/download",
      "/v1/applications/{id}/audit-events",
      "/v1/auth/keys",
      "/v1/auth/keys/{id}",
      "/health",
      "/ready"
    ]) {
      expect(Object.keys(spec.json.paths)).toContain(path)
    }
    expect(spec.text).not.toContain("HttpApiDecodeError")
    const create = spec.json.paths["/v1/applications"].post
    expect(create.security).toEqual([{ bearer: [] }])
    expect(create.responses["201"].headers.Location).toBeDefined()
    expect(Object.keys(create.responses["422"].content)).toEqual(["application/problem+json"])
    expect(spec.json.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
  })

  it("serves Swagger UI from the installed package, with no third-party source", async () => {
    const page = await call(`${server.url}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(page.text).not.toMatch(/https?:\/\//)
    for (const asset of page.text.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const answer = await fetch(`${server.url}${asset[1]}`)
      expect(answer.status, asset[1]).toBe(200)
    }
    const init = await call(`${server.url}/docs/swagger-initializer.js`)
    expect(init.text).toContain('"/openapi.json"')
  })
})

describe("chain lock timeout", () => {
  it("answers 503 with Retry-After and writes nothing", async () => {
    const created = await call(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application())
    })
    const id = created.json.data.id
    expect((await call(`${server.url}/v1/applications/${id}/documents`, {
      method: "POST",
      key: server.keys.loan_officer,
      body: upload(pdf())
    })).status).toBe(201)
    const trailBefore = await call(`${server.url}/v1/applications/${id}/audit-events`, { key: server.keys.loan_officer })

    const release = await server.run(Effect.flatMap(InMemoryDatabase, (db) => db.holdLock(ChainKey.application(id))))
    const busy = await call(`${server.url}/v1/applications/${id}`, {
      method: "PATCH",
      key: server.keys.loan_officer,
      ...jsonBody({ status: "submitted" })
    })
    await server.run(release)
    expect(busy.status).toBe(503)
    expect(busy.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/)
    expect(busy.json.type).toBe("/problems/busy")

    const after = await call(`${server.url}/v1/applications/${id}`, { key: server.keys.loan_officer })
    expect(after.json.data.status).toBe("draft")
    const trailAfter = await call(`${server.url}/v1/applications/${id}/audit-events`, { key: server.keys.loan_officer })
    expect(trailAfter.json.data).toEqual(trailBefore.json.data)
  })
})

describe("logs", () => {
  it("writes one JSON line per request with method, path, status, duration and request id", async () => {
    const before = server.logs.length
    await call(`${server.url}/v1/applications?status=draft`, { key: server.keys.reviewer, headers: { "x-request-id": "one-line" } })
    const lines = server.logs.slice(before).map((l) => JSON.parse(l))
    const mine = lines.filter((l) => l.requestId === "one-line")
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ level: "INFO", message: "request", method: "GET", path: "/v1/applications", status: 200 })
    expect(JSON.stringify(mine[0])).not.toContain("status=draft")
  })

  it("never contains PII or keys, in logs or responses", async () => {
    // Everything this file's requests produced, plus a round of PII-bearing calls.
    const ssn = "900-77-4321"
    const account = "GB82WEST12345698765432"
    const governmentId = "P-998877-LOANLEDGER"
    await call(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application({ ssn, accountNumbers: [account], governmentId }))
    })
    await call(`${server.url}/v1/applications`, {
      method: "POST",
      key: server.keys.loan_officer,
      ...jsonBody(application({ ssn, accountNumbers: [account, "x".repeat(40)], governmentId: "" }))
    })
    await call(`${server.url}/v1/applications/${ssn}`, { key: server.keys.loan_officer })
    await call(`${server.url}/v1/applications?cursor=${ssn}`, { key: server.keys.loan_officer })
    const everything = [...server.logs, ...responses].join("\n")
    for (const secret of [ssn, ssn.replace(/-/g, ""), account, governmentId, ...Object.values(server.keys)]) {
      expect(everything).not.toContain(secret)
    }
  })
})
