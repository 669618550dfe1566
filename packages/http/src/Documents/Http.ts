import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Applications } from "@loan-ledger/domain/Applications"
import { Documents } from "@loan-ledger/domain/Documents"
import { toView } from "@loan-ledger/domain/LoanDocument"
import * as Pagination from "@loan-ledger/domain/Pagination"
import { LoanLedgerApi } from "../Api.js"
import { CurrentActor } from "../Authentication.js"
import * as ContentDisposition from "../ContentDisposition.js"
import * as Envelope from "../Envelope.js"
import { asInvalidQuery } from "../Problems.js"
import * as Respond from "../Respond.js"
import * as Upload from "../Upload.js"
import { DocumentEnvelope, DocumentPage } from "./Api.js"

export const location = (id: string) => `/v1/documents/${id}`

export const DocumentsLive = HttpApiBuilder.group(LoanLedgerApi, "documents", (handlers) =>
  Effect.gen(function* () {
    const applications = yield* Applications
    const documents = yield* Documents
    const slots = yield* Upload.UploadSlots

    return handlers
      .handleRaw("upload", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          // Who may not see the application learns nothing, and costs us no
          // 20 MiB read: the policy runs before a byte of the body is.
          yield* applications.get(actor, path.id)
          const document = yield* slots.withSlot(
            Effect.flatMap(Upload.receive, (file) => documents.upload(actor, path.id, file))
          )
          return yield* Respond.created(DocumentEnvelope, Envelope.data(toView(document)), location(document.id))
        })
      )
      .handle("list", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const page = yield* documents
            .list(actor, path.id, { cursor: Option.fromNullable(urlParams.cursor), limit: urlParams.limit })
            .pipe(asInvalidQuery)
          return yield* Respond.ok(DocumentPage, Envelope.page(Pagination.map(page, toView)))
        })
      )
      .handle("get", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const document = yield* documents.getById(actor, path.id)
          return yield* Respond.ok(DocumentEnvelope, Envelope.data(toView(document)))
        })
      )
      .handle("download", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const { content, document } = yield* documents.downloadById(actor, path.id).pipe(
            // A stored document that cannot be decrypted is not the caller's doing: a defect, 500.
            Effect.catchTags({ PiiDecryptError: (e) => Effect.die(e), UnknownKeyId: (e) => Effect.die(e) })
          )
          return HttpServerResponse.uint8Array(Redacted.value(content), {
            contentType: document.mediaType,
            headers: {
              "content-disposition": ContentDisposition.attachment(document.filename),
              // Opened by a browser anyway, the file may run nothing.
              "content-security-policy": "default-src 'none'; sandbox",
              "cache-control": "no-store"
            }
          })
        })
      )
  })
)
