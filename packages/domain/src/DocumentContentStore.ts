/**
 * Document bytes at rest (`document_contents`). Only ciphertexts made by the
 * PiiVault reach this port: document contents are PII.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { DocumentId } from "./Ids.js"
import type { Ciphertext } from "./PiiVault.js"
import type { Transaction } from "./UnitOfWork.js"

export class DocumentContentStore extends Context.Tag("@loan-ledger/domain/DocumentContentStore")<
  DocumentContentStore,
  {
    readonly put: (documentId: DocumentId, content: Ciphertext) => Effect.Effect<void, never, Transaction>
    readonly get: (documentId: DocumentId) => Effect.Effect<Option.Option<Ciphertext>>
  }
>() {}
