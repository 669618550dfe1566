/**
 * The HTTP contract of loan-ledger: every endpoint, its parameters, bodies,
 * envelopes, security and errors. It is a value, separate from the
 * handlers; /openapi.json and /docs are generated from it.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { ApiKeysApi } from "./ApiKeys/Api.js"
import { ApplicationsApi } from "./Applications/Api.js"
import { AuditEventsApi } from "./AuditEvents/Api.js"
import { DocumentsApi } from "./Documents/Api.js"
import { HealthApi } from "./Health/Api.js"
import { tidyOpenApi } from "./OpenApiTidy.js"
import * as Problems from "./Problems.js"

export class LoanLedgerApi extends HttpApi.make("loan-ledger")
  .add(HealthApi)
  .add(ApplicationsApi)
  .add(DocumentsApi)
  .add(AuditEventsApi)
  .add(ApiKeysApi)
  .addError(Problems.InvalidParametersProblem)
  .addError(Problems.RouteNotFoundProblem)
  .addError(Problems.InternalErrorProblem)
  .annotateContext(
    OpenApi.annotations({
      title: "loan-ledger",
      version: "1.0.0",
      description: "Mortgage loan applications, documents, API keys and a tamper-evident audit trail.",
      transform: tidyOpenApi
    })
  )
{}
