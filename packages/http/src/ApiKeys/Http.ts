import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CreateApiKeyRequest, toView } from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import * as Pagination from "@loan-ledger/domain/Pagination"
import * as Policy from "@loan-ledger/domain/Policy"
import { LoanLedgerApi } from "../Api.js"
import { CurrentActor } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { asInvalidQuery } from "../Problems.js"
import * as RequestBody from "../RequestBody.js"
import * as Respond from "../Respond.js"
import { ApiKeyPage, CreatedApiKeyEnvelope } from "./Api.js"

export const ApiKeysLive = HttpApiBuilder.group(LoanLedgerApi, "apiKeys", (handlers) =>
  Effect.gen(function* () {
    const apiKeys = yield* ApiKeys
    return handlers
      .handleRaw("create", () =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          // The role check runs before the body is read: a caller who may not
          // manage keys gets 403 whatever it sent, not a lesson in validation.
          yield* Policy.check(actor, "key:manage")
          const request = yield* RequestBody.decodeJson(CreateApiKeyRequest)
          const created = yield* apiKeys.create(actor, request)
          return yield* Respond.created(
            CreatedApiKeyEnvelope,
            // The one place the plaintext leaves the Redacted wrapper: the caller asked for it.
            Envelope.data({ ...toView(created.record), key: Redacted.value(created.key) }),
            `/v1/auth/keys/${created.record.id}`
          )
        })
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const page = yield* apiKeys
            .list(actor, { cursor: Option.fromNullable(urlParams.cursor), limit: urlParams.limit })
            .pipe(asInvalidQuery)
          return yield* Respond.ok(ApiKeyPage, Envelope.page(Pagination.map(page, toView)))
        })
      )
      .handle("revoke", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* apiKeys.revoke(actor, path.id)
          return yield* Respond.noContent
        })
      )
  })
)
