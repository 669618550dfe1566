/**
 * `DocumentRepository` on `documents` (metadata only; the encrypted bytes
 * are in `document_contents`, see PgDocumentContentStore). Lists are oldest
 * first with a `created_at:id` keyset cursor.
 *
 * The 25-documents cap is decided by the use case on a count taken under
 * the application's chain lock, which serialises uploads to one application.
 * The INSERT repeats the check as a guard: should a caller ever count
 * without the lock, the 26th row is refused rather than stored.
 */
import * as Model from "@effect/sql/Model"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DocumentRepository } from "@loan-ledger/domain/DocumentRepository"
import { ApiKeyId, type ApplicationId, ApplicationId as ApplicationIdSchema, DocumentId } from "@loan-ledger/domain/Ids"
import {
  Filename,
  LoanDocument,
  MAX_DOCUMENTS_PER_APPLICATION,
  MediaType
} from "@loan-ledger/domain/LoanDocument"
import { TimestampFromText } from "@loan-ledger/domain/Timestamp"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import * as KeysetCursor from "./KeysetCursor.js"
import * as Rows from "./Rows.js"
import * as TimestampText from "./TimestampText.js"

export class DocumentRow extends Model.Class<DocumentRow>("DocumentRow")({
  id: DocumentId,
  application_id: ApplicationIdSchema,
  filename: Filename,
  content_type: MediaType,
  size_bytes: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  content_hmac: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  uploaded_by: ApiKeyId,
  created_at: TimestampFromText
}) {}

const toDomain = (row: DocumentRow): LoanDocument =>
  LoanDocument.make({
    id: row.id,
    applicationId: row.application_id,
    filename: row.filename,
    mediaType: row.content_type,
    sizeBytes: row.size_bytes,
    contentHmac: row.content_hmac,
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at
  })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const columns = sql`id::text AS id, application_id::text AS application_id, filename, content_type,
    size_bytes::text AS size_bytes, content_hmac, uploaded_by::text AS uploaded_by,
    ${TimestampText.select(sql, "created_at")}`
  const { all: documents, first } = Rows.reader(DocumentRow, "document", toDomain)

  const insert = (document: LoanDocument) =>
    sql`INSERT INTO documents (id, application_id, filename, content_type, size_bytes, content_hmac, uploaded_by,
        created_at)
      SELECT ${document.id}, ${document.applicationId}, ${document.filename}, ${document.mediaType},
        ${document.sizeBytes}, ${document.contentHmac}, ${document.uploadedBy}, ${document.createdAt}::timestamptz
      WHERE (SELECT count(*) FROM documents WHERE application_id = ${document.applicationId})
        < ${MAX_DOCUMENTS_PER_APPLICATION}
      RETURNING id`.pipe(
      statement("insert document"),
      Effect.flatMap((rows) =>
        rows.length === 1
          ? Effect.void
          : Effect.dieMessage(
            `application ${document.applicationId} already has ${MAX_DOCUMENTS_PER_APPLICATION} documents ` +
              "(the count was not taken under the chain lock)"
          )
      ),
      requireTransaction("inserting a document")
    )

  const countForApplication = (applicationId: ApplicationId) =>
    sql<{ readonly n: number }>`SELECT count(*)::integer AS n FROM documents
      WHERE application_id = ${applicationId}`.pipe(
      statement("count documents"),
      Effect.map(([row]) => row?.n ?? 0),
      requireTransaction("counting documents for the cap")
    )

  const listForApplication: DocumentRepository["Type"]["listForApplication"] = (applicationId, page) =>
    Effect.gen(function*() {
      const limit = yield* KeysetCursor.checkLimit(page)
      const after = yield* KeysetCursor.decodeRequest(page, KeysetCursor.decodeTimeAndId)
      const rows = yield* sql`SELECT ${columns} FROM documents
        WHERE application_id = ${applicationId}${
        Option.match(after, {
          onNone: () => sql``,
          onSome: (key) => sql` AND (created_at, id) > (${key.createdAt}::timestamptz, ${key.id}::uuid)`
        })
      }
        ORDER BY documents.created_at, documents.id LIMIT ${limit + 1}`.pipe(statement("list documents"))
      return KeysetCursor.toPage(yield* documents(rows), limit, (last) => KeysetCursor.encodeTimeAndId(last))
    })

  const findById: DocumentRepository["Type"]["findById"] = (applicationId, documentId) =>
    sql`SELECT ${columns} FROM documents WHERE id = ${documentId} AND application_id = ${applicationId}`.pipe(
      statement("read document"),
      Effect.flatMap(first)
    )

  const findByDocumentId: DocumentRepository["Type"]["findByDocumentId"] = (documentId) =>
    sql`SELECT ${columns} FROM documents WHERE id = ${documentId}`.pipe(
      statement("read document"),
      Effect.flatMap(first)
    )

  return DocumentRepository.of({ insert, countForApplication, listForApplication, findById, findByDocumentId })
})

export const layer: Layer.Layer<DocumentRepository, never, SqlClient.SqlClient> = Layer.effect(
  DocumentRepository,
  make
)
