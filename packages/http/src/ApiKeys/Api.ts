/** API keys: create (the plaintext is returned once), list, revoke. Reviewers only. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { ApiKeyView, CreateApiKeyRequest } from "@loan-ledger/domain/ApiKeyRecord"
import { Authentication } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { withLocationHeader } from "../OpenApiTidy.js"
import * as Params from "../Params.js"
import * as Problems from "../Problems.js"

export const CreatedApiKey = Schema.Struct({
  ...ApiKeyView.fields,
  key: Schema.String.annotations({ description: "The plaintext key. It is shown this once and never stored." })
}).annotations({ identifier: "CreatedApiKey" })

export const CreatedApiKeyEnvelope = Envelope.Data(CreatedApiKey, "CreatedApiKeyEnvelope")

export const ApiKeyPage = Envelope.Page(ApiKeyView, "ApiKeyPage")

export const ListApiKeysParams = Schema.Struct({
  cursor: Params.cursor,
  limit: Params.limit(20, 100)
})

export class ApiKeysApi extends HttpApiGroup.make("apiKeys")
  .add(
    HttpApiEndpoint.post("create", "/auth/keys")
      .setPayload(CreateApiKeyRequest)
      .addSuccess(CreatedApiKeyEnvelope, { status: 201 })
      .addError(Problems.MalformedBodyProblem)
      .addError(Problems.PayloadTooLargeProblem)
      .addError(Problems.UnsupportedContentTypeProblem)
      .addError(Problems.ValidationProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Create an API key; the plaintext is in `key`, shown once")
      .annotate(OpenApi.Transform, withLocationHeader("The new key (revoke it with DELETE)"))
  )
  .add(
    HttpApiEndpoint.get("list", "/auth/keys")
      .setUrlParams(ListApiKeysParams)
      .addSuccess(ApiKeyPage)
      .addError(Problems.InvalidQueryProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(OpenApi.Summary, "List API keys (never their plaintext)")
  )
  .add(
    HttpApiEndpoint.del("revoke")`/auth/keys/${Params.apiKeyId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.ConflictProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Revoke an API key (idempotent; a key cannot revoke itself)")
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Title, "API keys")
{}
