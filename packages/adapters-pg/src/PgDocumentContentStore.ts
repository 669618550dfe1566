/**
 * `DocumentContentStore` on `document_contents`: ciphertexts only (the
 * PiiVault encrypted them before they reached this port), one row per
 * document, written in the upload's transaction.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { DocumentContentStore } from "@loan-ledger/domain/DocumentContentStore"
import type { DocumentId } from "@loan-ledger/domain/Ids"
import type { Ciphertext } from "@loan-ledger/domain/PiiVault"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import { CiphertextFromBytea } from "./Bytea.js"
import * as Rows from "./Rows.js"

const ContentRow = Schema.Struct({ content_encrypted: CiphertextFromBytea })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { first } = Rows.reader(ContentRow, "document content", (row) => row.content_encrypted)

  const put = (documentId: DocumentId, content: Ciphertext) =>
    sql`INSERT INTO document_contents (document_id, content_encrypted) VALUES (${documentId}, ${content})`.pipe(
      statement("store document content"),
      Effect.asVoid,
      requireTransaction("storing document content")
    )

  const get = (documentId: DocumentId) =>
    sql`SELECT content_encrypted FROM document_contents WHERE document_id = ${documentId}`.pipe(
      statement("read document content"),
      Effect.flatMap(first)
    )

  return DocumentContentStore.of({ put, get })
})

export const layer: Layer.Layer<DocumentContentStore, never, SqlClient.SqlClient> = Layer.effect(
  DocumentContentStore,
  make
)
