/**
 * The Authentication middleware over the domain's `ApiKeys.authenticate`,
 * which parses the header, looks the key up by its HMAC, checks that it is
 * active and unexpired, and records every failed attempt as an
 * `auth_event`. The whole Authorization header is passed on (not the
 * platform's slice of it), so the domain sees the scheme and role hint too.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import { Authentication } from "./Authentication.js"

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(ApiKeys, (apiKeys) =>
    Authentication.of({
      bearer: () =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          apiKeys.authenticate(request.headers["authorization"])
        )
    })
  )
)
