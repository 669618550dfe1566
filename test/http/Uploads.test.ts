/**
 * Uploads against real PostgreSQL: real-world file shapes are accepted,
 * polyglots refused per ARCHITECTURE.md, and several 20 MiB uploads at once
 * keep the server's memory bounded (uploads take slots; the others wait
 * before a byte of their body is read).
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { concat, jpeg, pdf, png, tiff, zip } from "../../packages/domain/test/support/Files.js"
import { application, jsonBody, request, upload } from "../../packages/http/test/support/Http.js"
import { envFor, run, TEST_ENCRYPTION_KEY } from "../cli/support/cli.js"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import * as RealServer from "./support/RealServer.js"

let db: TestDatabase
let server: RealServer.RealServer
let reviewerKey: string
let officerKey: string

const MiB = 1024 * 1024
const CONCURRENT_UPLOADS = 8
/**
 * Two slots, each holding a file while it is checked, encrypted and
 * stored. Eight uploads held at once would need several times this.
 */
const MEMORY_BOUND_MIB = 350

// A full collection on demand, so the test measures what is alive, not garbage.
v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void
beforeAll(async () => {
  db = await createTestDatabase()
  // The default UPLOAD_CONCURRENCY (2) is what is measured.
  server = await RealServer.start(RealServer.settingsFor(db))
  // The first keys come from `loan-ledger seed`.
  const seeded = await run(["seed"], envFor(db))
  expect(seeded.code, seeded.stderr).toBe(0)
  reviewerKey = RealServer.seedKeysFrom(seeded.stdout).reviewer
  const officer = await request(`${server.url}/v1/auth/keys`, { method: "POST", key: reviewerKey, ...jsonBody({ role: "loan_officer" }) })
  officerKey = officer.json.data.key
}, 180_000)

afterAll(async () => {
  await server?.close()
  await db?.drop()
})

const draft = async () => {
  const answer = await request(`${server.url}/v1/applications`, { method: "POST", key: officerKey, ...jsonBody(application()) })
  expect(answer.status).toBe(201)
  return answer.json.data.id as string
}

const post = (id: string, form: FormData) =>
  request(`${server.url}/v1/applications/${id}/documents`, { method: "POST", key: officerKey, body: form })

describe("real-world files", () => {
  it("accepts multi-page and big-endian TIFF scans, incremental PDFs and phone JPEGs with trailers", async () => {
    const id = await draft()
    for (const [bytes, type] of [
      [tiff(4), "image/tiff"],
      [tiff(2, true), "image/tiff"],
      [pdf("1 0 obj << >> endobj", true), "application/pdf"],
      [jpeg({ trailer: new TextEncoder().encode("MotionPhoto_Data\u0000\u0001\u0002") }), "image/jpeg"],
      [png(), "image/png"]
    ] as const) {
      const answer = await post(id, upload(bytes))
      expect(answer.status, type).toBe(201)
      expect(answer.json.data.mediaType).toBe(type)
    }
  })

  it("refuses polyglots: a PDF header early in a non-PDF, markup at the start, a ZIP inside an image or PDF", async () => {
    const id = await draft()
    const markup = await post(id, upload(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>%PDF-1.4")))
    expect(markup.status).toBe(415)
    for (const bytes of [
      jpeg({ comment: "%PDF-1.4 obj" }),
      concat(png(), zip()),
      jpeg({ trailer: zip() }),
      concat(pdf().subarray(0, 20), zip(), pdf().subarray(20))
    ]) {
      const answer = await post(id, upload(bytes))
      expect(answer.status).toBe(422)
    }
    const listed = await request(`${server.url}/v1/applications/${id}/documents`, { key: officerKey })
    expect(listed.json.data).toEqual([])
  })

  it("stores contents encrypted at rest", async () => {
    const id = await draft()
    const marker = "PLAINTEXT-MARKER-" + "Q".repeat(16)
    const created = await post(id, upload(pdf(`1 0 obj (${marker}) endobj`)))
    expect(created.status).toBe(201)
    const pg = (await import("pg")).default
    const client = new pg.Client({ connectionString: db.adminUrl })
    await client.connect()
    try {
      const { rows } = await client.query("SELECT * FROM document_contents")
      const dump = JSON.stringify(rows, (_, v) => (v?.type === "Buffer" ? Buffer.from(v.data).toString("latin1") : v))
      expect(dump).not.toContain(marker)
      expect(dump).not.toContain(TEST_ENCRYPTION_KEY)
    } finally {
      await client.end()
    }
  })
})

/**
 * A multipart upload of a file on disk through `node:http`, streamed with
 * back-pressure, so that this test's own client holds no copy of the file
 * (fetch in the same process would, and its memory would count as ours).
 */
const streamUpload = (url: string, key: string, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const boundary = "----loan-ledger-memory-test"
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="big.pdf"\r\n` +
        "Content-Type: application/pdf\r\n\r\n"
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    const length = head.length + Fs.statSync(path).size + tail.length
    const req = Http.request(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(length)
      }
    }, (res) => {
      res.resume()
      res.on("end", () => resolve(res.statusCode ?? 0))
    })
    req.on("error", reject)
    req.write(head)
    const file = Fs.createReadStream(path)
    file.on("error", reject)
    file.on("end", () => req.end(tail))
    file.pipe(req, { end: false })
  })

describe("memory", () => {
  it("stays bounded while several 20 MiB uploads run at once", async () => {
    const ids = await Promise.all(Array.from({ length: CONCURRENT_UPLOADS }, () => draft()))
    const head = new TextEncoder().encode("%PDF-1.7\n%")
    const tail = new TextEncoder().encode("\n1 0 obj << >> endobj\ntrailer << >>\nstartxref\n0\n%%EOF\n")
    const bytes = new Uint8Array(20 * MiB).fill(0x41)
    bytes.set(head, 0)
    bytes.set(tail, bytes.length - tail.length)
    const folder = Fs.mkdtempSync(Path.join(Os.tmpdir(), "loan-ledger-upload-"))
    const file = Path.join(folder, "big.pdf")
    Fs.writeFileSync(file, bytes)

    // Live memory, not garbage: sampled right after a full collection.
    const live = () => {
      gc()
      const m = process.memoryUsage()
      return m.heapUsed + m.external
    }
    const baseline = live()
    let peak = baseline
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, live())
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()
    try {
      const statuses = await Promise.all(
        ids.map((id) => streamUpload(`${server.url}/v1/applications/${id}/documents`, officerKey, file))
      )
      expect(statuses).toEqual(ids.map(() => 201))
    } finally {
      sampling = false
      await sampler
      Fs.rmSync(folder, { recursive: true, force: true })
    }
    const growthMiB = (peak - baseline) / MiB
    console.log(`live memory peak during ${CONCURRENT_UPLOADS} concurrent 20 MiB uploads: +${growthMiB.toFixed(0)} MiB`)
    expect(growthMiB).toBeLessThan(MEMORY_BOUND_MIB)
  }, 300_000)
})
