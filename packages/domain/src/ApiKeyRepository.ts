/** Storage of API keys (`api_keys`): hashes only. */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { ApiKeyRecord, KeyHash } from "./ApiKeyRecord.js"
import type { ValidationError } from "./Errors.js"
import type { ApiKeyId } from "./Ids.js"
import type { Page, PageRequest } from "./Pagination.js"
import type { Transaction } from "./UnitOfWork.js"

export class ApiKeyRepository extends Context.Tag("@loan-ledger/domain/ApiKeyRepository")<
  ApiKeyRepository,
  {
    readonly insert: (record: ApiKeyRecord) => Effect.Effect<void, never, Transaction>
    /** Lookup by HMAC (unique); the caller compares hashes again in constant time. */
    readonly findByHash: (keyHash: KeyHash) => Effect.Effect<Option.Option<ApiKeyRecord>>
    readonly findById: (id: ApiKeyId) => Effect.Effect<Option.Option<ApiKeyRecord>>
    readonly findByIdForUpdate: (id: ApiKeyId) => Effect.Effect<Option.Option<ApiKeyRecord>, never, Transaction>
    /** Newest first, keyset-paginated. */
    readonly list: (page: PageRequest) => Effect.Effect<Page<ApiKeyRecord>, ValidationError>
    readonly deactivate: (id: ApiKeyId) => Effect.Effect<void, never, Transaction>
  }
>() {}
