import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import { Applications, AuditChain, DocumentContent, Documents, Pagination } from "../src/index.js"
import { createRequest, seedKey } from "./support/Fixtures.js"
import { concat, jpeg, pdf, png, zip } from "./support/Files.js"
import { InMemoryDatabase } from "./support/InMemory.js"
import { makeTestLayer, TEST_HMAC_SECRET } from "./support/TestLayer.js"

const setup = Effect.gen(function*() {
  const apps = yield* Applications.Applications
  const docs = yield* Documents.Documents
  const db = (yield* InMemoryDatabase).state
  const officer = (yield* seedKey("loan_officer")).actor
  const otherOfficer = (yield* seedKey("loan_officer")).actor
  const app = yield* apps.create(officer, createRequest())
  const chain = () => db.audit.filter((e) => e.applicationId === app.id)
  return { apps, docs, db, officer, otherOfficer, app, chain }
})

describe("Documents", () => {
  it.effect("uploads a file encrypted at rest, recorded by id, type, size and HMAC (never its name)", () =>
    Effect.gen(function*() {
      const { docs, db, officer, app, chain } = yield* setup
      const content = pdf("borrower statement")
      const doc = yield* docs.upload(officer, app.id, { filename: "../John Smith SSN 900-12-3456.pdf", content })
      expect(doc).toMatchObject({ applicationId: app.id, mediaType: "application/pdf", sizeBytes: content.length })
      expect(doc.filename).toBe("John Smith SSN 900-12-3456.pdf")
      const stored = db.contents.get(doc.id)!
      expect(stored[0]).toBe(1) // key id byte
      expect(Buffer.from(stored).toString("latin1")).not.toContain("borrower statement")
      const hmac = createHmac("sha256", Redacted.value(TEST_HMAC_SECRET)).update(content).digest("hex")
      expect(doc.contentHmac).toBe(hmac)
      const event = chain().find((e) => e.eventType === "document_upload")!
      expect(event.inputDataHash).toBe(hmac)
      expect(event.metadata).toEqual({ document_id: doc.id, media_type: "application/pdf", size_bytes: content.length })
      expect(AuditChain.canonicalText(event)).not.toContain("Smith")
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("downloads the decrypted content and records a document_access event", () =>
    Effect.gen(function*() {
      const { docs, officer, otherOfficer, app, chain } = yield* setup
      const content = png()
      const doc = yield* docs.upload(officer, app.id, { filename: "photo.png", content })
      const download = yield* docs.download(officer, app.id, doc.id)
      expect(Buffer.from(Redacted.value(download.content)).equals(Buffer.from(content))).toBe(true)
      expect(chain().at(-1)).toMatchObject({ eventType: "document_access", metadata: { document_id: doc.id, access: "download" } })
      expect((yield* Effect.flip(docs.download(otherOfficer, app.id, doc.id)))._tag).toBe("NotFound")
      expect((yield* docs.list(officer, app.id, Pagination.firstPage())).items.map((d) => d.id)).toEqual([doc.id])
      expect((yield* docs.get(officer, app.id, doc.id)).id).toBe(doc.id)
      expect((yield* Effect.flip(docs.get(officer, app.id, app.id as never)))).toMatchObject({ _tag: "NotFound", entity: "document" })
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("finds a document by its id alone, answering 'document not found' to callers who may not see it", () =>
    Effect.gen(function*() {
      const { docs, officer, otherOfficer, app } = yield* setup
      const doc = yield* docs.upload(officer, app.id, { filename: "a.pdf", content: pdf() })
      expect((yield* docs.getById(officer, doc.id)).id).toBe(doc.id)
      expect((yield* docs.downloadById(officer, doc.id)).document.id).toBe(doc.id)
      const refusals = [Effect.flip(docs.getById(otherOfficer, doc.id)), Effect.flip(docs.downloadById(otherOfficer, doc.id))]
      for (const refusal of refusals) {
        expect(yield* refusal).toMatchObject({ _tag: "NotFound", entity: "document", id: doc.id })
      }
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("refuses damaged files, other types, polyglots and oversize files", () =>
    Effect.gen(function*() {
      const { docs, officer, app, chain } = yield* setup
      const tag = (content: Uint8Array) =>
        Effect.map(Effect.flip(docs.upload(officer, app.id, { filename: "f", content })), (e) => e._tag)
      expect(yield* tag(pdf().subarray(0, 20))).toBe("DamagedFile")
      expect(yield* tag(new TextEncoder().encode("<script>alert(1)</script>"))).toBe("UnsupportedMediaType")
      expect(yield* tag(concat(jpeg(), zip()))).toBe("DamagedFile")
      expect(yield* tag(new Uint8Array(DocumentContent.MAX_BYTES + 1))).toBe("DocumentTooLarge")
      expect(chain().filter((e) => e.eventType === "document_upload")).toHaveLength(0)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("accepts uploads only to a draft", () =>
    Effect.gen(function*() {
      const { apps, docs, officer, app } = yield* setup
      yield* docs.upload(officer, app.id, { filename: "a.pdf", content: pdf() })
      yield* apps.submit(officer, app.id)
      const error = yield* Effect.flip(docs.upload(officer, app.id, { filename: "b.pdf", content: pdf() }))
      expect(error).toMatchObject({ _tag: "Conflict" })
      expect(error.message).toContain("processing")
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("lets exactly 25 of 26 parallel uploads through", () =>
    Effect.gen(function*() {
      const { docs, db, officer, app, chain } = yield* setup
      const results = yield* Effect.all(
        Array.from({ length: 26 }, (_, i) => Effect.either(docs.upload(officer, app.id, { filename: `p${i}.pdf`, content: pdf(`page ${i}`) }))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight)).toHaveLength(25)
      const refused = results.filter(Either.isLeft)
      expect(refused).toHaveLength(1)
      expect(refused[0]!.left).toMatchObject({ _tag: "DocumentLimitReached", applicationId: app.id, limit: 25 })
      expect([...db.documents.values()].filter((d) => d.applicationId === app.id)).toHaveLength(25)
      expect(chain().filter((e) => e.eventType === "document_upload")).toHaveLength(25)
    }).pipe(Effect.provide(makeTestLayer())))

  it.effect("an upload racing a submit resolves to one valid order", () =>
    Effect.gen(function*() {
      const { apps, docs, officer, app, chain } = yield* setup
      yield* docs.upload(officer, app.id, { filename: "first.pdf", content: pdf() })
      const [upload, submit] = yield* Effect.all(
        [Effect.either(docs.upload(officer, app.id, { filename: "late.pdf", content: pdf("late") })), Effect.either(apps.submit(officer, app.id))],
        { concurrency: "unbounded" }
      )
      expect(Either.isRight(submit)).toBe(true)
      const types = chain().map((e) => e.eventType === "state_transition" ? `${e.previousState}->${e.newState}` : e.eventType)
      const submittedAt = types.indexOf("draft->submitted")
      // No upload is recorded after the submission.
      expect(types.slice(submittedAt).includes("document_upload")).toBe(false)
      if (Either.isLeft(upload)) expect(upload.left._tag).toBe("Conflict")
    }).pipe(Effect.provide(makeTestLayer())))
})
