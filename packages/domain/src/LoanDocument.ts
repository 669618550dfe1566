/**
 * A document attached to an application. Its bytes live encrypted in the
 * `DocumentContentStore`; this record holds what may be shown.
 */
import * as Schema from "effect/Schema"
import { ApiKeyId, ApplicationId, DocumentId } from "./Ids.js"
import { Timestamp } from "./Timestamp.js"

export const MAX_DOCUMENTS_PER_APPLICATION = 25

export const MediaType = Schema.Literal("application/pdf", "image/jpeg", "image/png", "image/tiff")
export type MediaType = typeof MediaType.Type

/** A filename after sanitising (see DocumentContent.sanitizeFilename). */
export const Filename = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._ ()-]{0,254}$/, {
    message: () => "must be a plain file name of at most 255 safe characters"
  }),
  Schema.brand("Filename")
)
export type Filename = typeof Filename.Type

export class LoanDocument extends Schema.Class<LoanDocument>("LoanDocument")({
  id: DocumentId,
  applicationId: ApplicationId,
  filename: Filename,
  mediaType: MediaType,
  sizeBytes: Schema.Int.pipe(Schema.nonNegative()),
  /** HMAC-SHA256 of the plaintext under HMAC_SECRET_KEY (never a plain hash of PII). */
  contentHmac: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  uploadedBy: ApiKeyId,
  createdAt: Timestamp
}) {}

export const DocumentView = Schema.Struct({
  id: DocumentId,
  applicationId: ApplicationId,
  filename: Schema.String,
  mediaType: MediaType,
  sizeBytes: Schema.Int,
  createdAt: Timestamp
})
export type DocumentView = typeof DocumentView.Type

export const toView = (doc: LoanDocument): DocumentView => ({
  id: doc.id,
  applicationId: doc.applicationId,
  filename: doc.filename,
  mediaType: doc.mediaType,
  sizeBytes: doc.sizeBytes,
  createdAt: doc.createdAt
})
