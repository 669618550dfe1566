/**
 * Authentication, as contract: every `/v1` endpoint requires a Bearer API
 * key and runs with the `CurrentActor` this middleware provides. The role
 * is the one stored with the key; what the header claims is a hint only.
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
import type { Actor } from "@loan-ledger/domain/Actor"
import { ChainBusyProblem, UnauthenticatedProblem } from "./Problems.js"

/** The authenticated caller of the current request. */
export class CurrentActor extends Context.Tag("@loan-ledger/http/CurrentActor")<CurrentActor, Actor>() {}

export const bearer = HttpApiSecurity.bearer.pipe(
  HttpApiSecurity.annotate(OpenApi.Description, "An API key: `Authorization: Bearer <key>` or `Bearer <role>:<key>`."),
  HttpApiSecurity.annotate(OpenApi.Format, "ak_<lo|su|rv>_<43 base64url characters>")
)

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@loan-ledger/http/Authentication", {
  // A failed authentication is recorded on the system chain; when that
  // chain's lock cannot be had in time the answer is 503, not a 401 whose
  // audit event is missing.
  failure: Schema.Union(UnauthenticatedProblem, ChainBusyProblem),
  provides: CurrentActor,
  security: { bearer }
}) {}
