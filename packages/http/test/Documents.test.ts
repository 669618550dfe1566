/**
 * Uploads and downloads over real HTTP (in-memory ports): types decided by
 * content, polyglots and damaged files refused, the 20 MiB limit enforced
 * while streaming, safe file names and Content-Disposition, the 25-document
 * cap.
 */
import FsModule, * as Fs from "node:fs"
import { syncBuiltinESMExports } from "node:module"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { concat, jpeg, pdf, png, tiff, zip } from "../../domain/test/support/Files.js"
import { application, jsonBody, request, upload } from "./support/Http.js"
import * as InMemoryServer from "./support/InMemoryServer.js"

let server: InMemoryServer.InMemoryServer
beforeAll(async () => {
  server = await InMemoryServer.start()
})
afterAll(() => server.close())

const MiB = 1024 * 1024

const draft = async (key = server.keys.loan_officer) => {
  const answer = await request(`${server.url}/v1/applications`, { method: "POST", key, ...jsonBody(application()) })
  return answer.json.data.id as string
}

const post = (id: string, body: NonNullable<RequestInit["body"]>, key = server.keys.loan_officer, headers: Record<string, string> = {}) =>
  request(`${server.url}/v1/applications/${id}/documents`, { method: "POST", key, body, headers })

/** A PDF of exactly `size` bytes (padding in a comment line). */
const pdfOfSize = (size: number) => {
  const head = new TextEncoder().encode("%PDF-1.7\n%")
  const tail = new TextEncoder().encode("\n1 0 obj << >> endobj\ntrailer << >>\nstartxref\n0\n%%EOF\n")
  const bytes = new Uint8Array(size).fill(0x41)
  bytes.set(head, 0)
  bytes.set(tail, size - tail.length)
  return bytes
}

describe("accepted files", () => {
  it("stores real-world shapes and answers 201 with Location", async () => {
    const id = await draft()
    const files: Array<[Uint8Array, string, string]> = [
      [pdf(), "scan.pdf", "application/pdf"],
      [pdf("x", true), "incremental.pdf", "application/pdf"],
      [jpeg({ trailer: new TextEncoder().encode("MotionPhoto_Data\x00\x01") }), "IMG_0001.JPG", "image/jpeg"],
      [png(), "page.png", "image/png"],
      [tiff(3), "multipage.tif", "image/tiff"],
      [tiff(2, true), "bigendian.tiff", "image/tiff"]
    ]
    for (const [bytes, name, type] of files) {
      // The client's Content-Type is ignored: the bytes decide.
      const answer = await post(id, upload(bytes, name, "document", "application/octet-stream"))
      expect(answer.status, name).toBe(201)
      expect(answer.json.data.mediaType).toBe(type)
      expect(answer.headers.get("location")).toBe(`/v1/documents/${answer.json.data.id}`)
    }
    const listed = await request(`${server.url}/v1/applications/${id}/documents`, { key: server.keys.loan_officer })
    expect(listed.json.data).toHaveLength(files.length)
  })

  it("downloads the stored bytes with a safe Content-Disposition, hidden from other officers", async () => {
    const id = await draft()
    const bytes = pdf("2 0 obj << /Secret (nothing) >> endobj")
    const created = await post(id, upload(bytes, "../../etc/x\r\nSet-Cookie: a=b\".pdf"))
    expect(created.status).toBe(201)
    const docId = created.json.data.id
    expect(created.json.data.filename).not.toMatch(/[\/\\\r\n"]/)

    const meta = await request(`${server.url}/v1/documents/${docId}`, { key: server.keys.loan_officer })
    expect(meta.status).toBe(200)
    expect(meta.json.data).toMatchObject({ id: docId, applicationId: id, mediaType: "application/pdf" })

    const download = await fetch(`${server.url}/v1/documents/${docId}/download`, {
      headers: { authorization: `Bearer ${server.keys.loan_officer}` }
    })
    expect(download.status).toBe(200)
    expect(download.headers.get("content-type")).toBe("application/pdf")
    const disposition = download.headers.get("content-disposition")!
    expect(disposition).toMatch(/^attachment; filename="[^"\\\r\n]+"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/)
    expect(download.headers.get("set-cookie")).toBeNull()
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes)

    for (const path of [`/v1/documents/${docId}`, `/v1/documents/${docId}/download`]) {
      const other = await request(`${server.url}${path}`, { key: server.keys.other_officer })
      expect(other.status).toBe(404)
      expect(other.text).not.toContain(id)
    }
    const trail = await request(`${server.url}/v1/applications/${id}/audit-events?eventType=document_access`, {
      key: server.keys.loan_officer
    })
    expect(trail.json.data).toHaveLength(1)
  })
})

describe("no spooling", () => {
  it("opens no file while receiving an upload (the platform's persisted multipart would)", async () => {
    const id = await draft()
    // Builtin modules' ESM bindings follow their CommonJS object once synced,
    // so every `import * as NFS from "node:fs"` sees these wrappers.
    const opened: Array<string> = []
    const original = { open: FsModule.open, createWriteStream: FsModule.createWriteStream, promisesOpen: FsModule.promises.open }
    FsModule.open = ((path: Fs.PathLike, ...rest: Array<unknown>) => {
      opened.push(String(path))
      return (original.open as (...args: Array<unknown>) => unknown)(path, ...rest)
    }) as typeof FsModule.open
    FsModule.createWriteStream = ((path: Fs.PathLike, ...rest: Array<unknown>) => {
      opened.push(String(path))
      return (original.createWriteStream as (...args: Array<unknown>) => Fs.WriteStream)(path, ...rest)
    }) as typeof FsModule.createWriteStream
    FsModule.promises.open = ((path: Fs.PathLike, ...rest: Array<unknown>) => {
      opened.push(String(path))
      return (original.promisesOpen as (...args: Array<unknown>) => Promise<Fs.promises.FileHandle>)(path, ...rest)
    }) as typeof FsModule.promises.open
    syncBuiltinESMExports()
    try {
      const answer = await post(id, upload(pdf(`1 0 obj (${"x".repeat(2 * MiB)}) endobj`)))
      expect(answer.status).toBe(201)
    } finally {
      FsModule.open = original.open
      FsModule.createWriteStream = original.createWriteStream
      FsModule.promises.open = original.promisesOpen
      syncBuiltinESMExports()
    }
    expect(opened).toEqual([])
  })
})

describe("refused files", () => {
  it("answers 415 for types other than PDF, JPEG, PNG and TIFF", async () => {
    const id = await draft()
    for (const bytes of [new TextEncoder().encode("GIF89a......"), zip(), new TextEncoder().encode("hello")]) {
      const answer = await post(id, upload(bytes, "x.pdf"))
      expect(answer.status).toBe(415)
      expect(answer.json.type).toBe("/problems/unsupported-file-type")
    }
  })

  it("answers 415 for markup, 422 for polyglots of a supported type and for damaged files", async () => {
    const id = await draft()
    const markup = await post(id, upload(new TextEncoder().encode("<html><body>%PDF-1.4</body></html>")))
    expect(markup.status).toBe(415)
    const polyglots = [
      jpeg({ comment: "%PDF-1.4 obj" }),
      concat(png(), zip()),
      concat(pdf().subarray(0, 20), zip(), pdf().subarray(20))
    ]
    for (const bytes of polyglots) {
      const answer = await post(id, upload(bytes))
      expect(answer.status).toBe(422)
      expect(answer.json.type).toBe("/problems/damaged-file")
    }
    for (const bytes of [pdf().subarray(0, pdf().length - 8), png().subarray(0, png().length - 6)]) {
      const answer = await post(id, upload(bytes))
      expect(answer.status).toBe(422)
      expect(answer.json.type).toBe("/problems/damaged-file")
    }
    const listed = await request(`${server.url}/v1/applications/${id}/documents`, { key: server.keys.loan_officer })
    expect(listed.json.data).toEqual([])
  })

  it("answers 415 for a body that is not multipart and 422 without the document field", async () => {
    const id = await draft()
    const json = await post(id, JSON.stringify({ document: "x" }), server.keys.loan_officer, {
      "content-type": "application/json"
    })
    expect(json.status).toBe(415)
    expect(json.json.type).toBe("/problems/unsupported-content-type")
    const wrongField = await post(id, upload(pdf(), "a.pdf", "file"))
    expect(wrongField.status).toBe(422)
    expect(wrongField.json.errors).toEqual([{ field: "document", message: expect.any(String) }])
    const garbage = await post(id, "--xx\r\nnot really", server.keys.loan_officer, {
      "content-type": "multipart/form-data; boundary=yy"
    })
    expect([400, 422]).toContain(garbage.status)
    expect(garbage.headers.get("content-type")).toBe("application/problem+json")
  })

  it("accepts exactly 20 MiB and refuses one byte more with 413", async () => {
    const id = await draft()
    const exact = await post(id, upload(pdfOfSize(20 * MiB)))
    expect(exact.status).toBe(201)
    const over = await post(id, upload(pdfOfSize(20 * MiB + 1)))
    expect(over.status).toBe(413)
    expect(over.json.type).toBe("/problems/payload-too-large")
    const huge = await post(id, upload(pdfOfSize(32 * MiB)))
    expect(huge.status).toBe(413)
  })

  it("refuses the 26th document with 409", async () => {
    const id = await draft()
    for (let i = 0; i < 25; i++) {
      expect((await post(id, upload(pdf(`${i} 0 obj << >> endobj`)))).status).toBe(201)
    }
    const full = await post(id, upload(pdf()))
    expect(full.status).toBe(409)
    expect(full.json.type).toBe("/problems/document-limit-reached")
  })

  it("refuses uploads to another officer's application without reading them", async () => {
    const id = await draft(server.keys.other_officer)
    const answer = await post(id, upload(pdfOfSize(5 * MiB)))
    expect(answer.status).toBe(404)
  })
})

describe("broken multipart framing", () => {
  const multipart = { "content-type": "multipart/form-data; boundary=BB" }

  it("answers 400 to a body that ends without its closing boundary, and frees the upload slot", async () => {
    const id = await draft()
    const unterminated = '--BB\r\nContent-Disposition: form-data; name="document"; filename="a.pdf"\r\n\r\n%PDF-1.4\n'
    // More of them than there are upload slots: each must be answered, or the last would wait forever.
    const answers = await Promise.all([1, 2, 3].map(() => post(id, unterminated, server.keys.loan_officer, multipart)))
    for (const answer of answers) {
      expect(answer.status).toBe(400)
      expect(answer.json.type).toBe("/problems/malformed-body")
    }
    expect((await post(id, upload(pdf(), "after.pdf"))).status).toBe(201)
  }, 60_000)

  it("answers 400 to an empty body and to a multipart type without a boundary", async () => {
    const id = await draft()
    expect((await post(id, "", server.keys.loan_officer, multipart)).status).toBe(400)
    const noBoundary = await post(id, pdf(), server.keys.loan_officer, { "content-type": "multipart/form-data" })
    expect(noBoundary.status).toBe(400)
    expect(noBoundary.json.type).toBe("/problems/malformed-body")
  })
})
