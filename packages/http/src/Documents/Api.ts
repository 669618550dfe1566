/**
 * Documents of an application: upload (multipart, streamed, checked by
 * content), list, read, download.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Multipart from "@effect/platform/Multipart"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { DocumentView, MAX_DOCUMENTS_PER_APPLICATION } from "@loan-ledger/domain/LoanDocument"
import { Authentication } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { withLocationHeader } from "../OpenApiTidy.js"
import * as Params from "../Params.js"
import * as Problems from "../Problems.js"

export const DocumentEnvelope = Envelope.Data(DocumentView, "DocumentEnvelope")

export const DocumentPage = Envelope.Page(DocumentView, "DocumentPage")

export const ListDocumentsParams = Schema.Struct({
  cursor: Params.cursor,
  // An application holds at most 25 documents: one page by default.
  limit: Params.limit(MAX_DOCUMENTS_PER_APPLICATION, 100)
})

/** The multipart body of an upload: one file in the field `document`. */
export const UploadForm = HttpApiSchema.MultipartStream(
  Schema.Struct({
    document: Multipart.SingleFileSchema.annotations({
      description: "PDF, JPEG, PNG or TIFF, at most 20 MiB; the type is decided by the content"
    })
  })
)

/** The stored bytes; the response's Content-Type is the document's media type. */
export const DocumentBytes = HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }).annotations({
  description: "The document's content, with `Content-Disposition: attachment`"
})

export class DocumentsApi extends HttpApiGroup.make("documents")
  .add(
    HttpApiEndpoint.post("upload")`/applications/${Params.applicationId}/documents`
      .setPayload(UploadForm)
      .addSuccess(DocumentEnvelope, { status: 201 })
      .addError(Problems.MalformedBodyProblem)
      .addError(Problems.PayloadTooLargeProblem)
      .addError(Problems.UnsupportedContentTypeProblem)
      .addError(Problems.ValidationProblem)
      .addError(Problems.MissingFilePartProblem)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.ConflictProblem)
      .addError(Problems.DocumentLimitProblem)
      .addError(Problems.DocumentTooLargeProblem)
      .addError(Problems.UnsupportedFileTypeProblem)
      .addError(Problems.DamagedFileProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Upload a document to a draft application (multipart field `document`)")
      .annotate(OpenApi.Transform, withLocationHeader("The new document"))
  )
  .add(
    HttpApiEndpoint.get("list")`/applications/${Params.applicationId}/documents`
      .setUrlParams(ListDocumentsParams)
      .addSuccess(DocumentPage)
      .addError(Problems.InvalidQueryProblem)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(OpenApi.Summary, "List an application's documents, oldest first")
  )
  .add(
    HttpApiEndpoint.get("get")`/documents/${Params.documentId}`
      .addSuccess(DocumentEnvelope)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(OpenApi.Summary, "Read a document's record")
  )
  .add(
    HttpApiEndpoint.get("download")`/documents/${Params.documentId}/download`
      .addSuccess(DocumentBytes)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Download a document (recorded as a document_access audit event)")
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Title, "Documents")
{}
