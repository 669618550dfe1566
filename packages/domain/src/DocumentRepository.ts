/** Storage of document records (`documents`); the bytes are in DocumentContentStore. */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { ValidationError } from "./Errors.js"
import type { ApplicationId, DocumentId } from "./Ids.js"
import type { LoanDocument } from "./LoanDocument.js"
import type { Page, PageRequest } from "./Pagination.js"
import type { Transaction } from "./UnitOfWork.js"

export class DocumentRepository extends Context.Tag("@loan-ledger/domain/DocumentRepository")<
  DocumentRepository,
  {
    readonly insert: (document: LoanDocument) => Effect.Effect<void, never, Transaction>
    /** Counted inside the transaction that holds the application's lock, so 26 parallel uploads cannot all fit. */
    readonly countForApplication: (applicationId: ApplicationId) => Effect.Effect<number, never, Transaction>
    /** Oldest first, keyset-paginated. */
    readonly listForApplication: (
      applicationId: ApplicationId,
      page: PageRequest
    ) => Effect.Effect<Page<LoanDocument>, ValidationError>
    readonly findById: (
      applicationId: ApplicationId,
      documentId: DocumentId
    ) => Effect.Effect<Option.Option<LoanDocument>>
    /** A document by its id alone (`GET /v1/documents/:id`); the caller still checks its application. */
    readonly findByDocumentId: (documentId: DocumentId) => Effect.Effect<Option.Option<LoanDocument>>
  }
>() {}
