/** Storage of loan applications (`loan_applications`). */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Status } from "./ApplicationStatus.js"
import type { ValidationError } from "./Errors.js"
import type { ApiKeyId, ApplicationId } from "./Ids.js"
import type { LoanApplication } from "./LoanApplication.js"
import type { Page, PageRequest } from "./Pagination.js"
import type { Timestamp } from "./Timestamp.js"
import type { Transaction } from "./UnitOfWork.js"

export interface ApplicationListQuery {
  /** Only applications created by this key (loan officers); none = all. */
  readonly createdBy: Option.Option<ApiKeyId>
  readonly status: Option.Option<Status>
  readonly page: PageRequest
}

export class ApplicationRepository extends Context.Tag("@loan-ledger/domain/ApplicationRepository")<
  ApplicationRepository,
  {
    readonly insert: (application: LoanApplication) => Effect.Effect<void, never, Transaction>
    readonly findById: (id: ApplicationId) => Effect.Effect<Option.Option<LoanApplication>>
    /** Reads and locks the row (`FOR UPDATE`) for the rest of the transaction. */
    readonly findByIdForUpdate: (id: ApplicationId) => Effect.Effect<Option.Option<LoanApplication>, never, Transaction>
    /** Newest first, keyset-paginated. */
    readonly list: (query: ApplicationListQuery) => Effect.Effect<Page<LoanApplication>, ValidationError>
    readonly updateStatus: (
      id: ApplicationId,
      status: Status,
      updatedAt: Timestamp
    ) => Effect.Effect<void, never, Transaction>
  }
>() {}
