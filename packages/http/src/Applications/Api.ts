/**
 * Loan applications: create, list, read (with documents), change status
 * (submit or withdraw) and retry processing.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { ApplicationView, CreateApplicationRequest } from "@loan-ledger/domain/LoanApplication"
import { DocumentView } from "@loan-ledger/domain/LoanDocument"
import { Authentication } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { withLocationHeader } from "../OpenApiTidy.js"
import * as Params from "../Params.js"
import * as Problems from "../Problems.js"

export const ApplicationEnvelope = Envelope.Data(ApplicationView, "ApplicationEnvelope")

export const ApplicationDetail = Schema.Struct({
  ...ApplicationView.fields,
  documents: Schema.Array(DocumentView)
}).annotations({ identifier: "ApplicationDetail" })

export const ApplicationDetailEnvelope = Envelope.Data(ApplicationDetail, "ApplicationDetailEnvelope")

export const ApplicationPage = Envelope.Page(ApplicationView, "ApplicationPage")

export const LIST_DEFAULT_LIMIT = 20
export const LIST_MAX_LIMIT = 100

export const ListApplicationsParams = Schema.Struct({
  status: Params.status,
  cursor: Params.cursor,
  limit: Params.limit(LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT)
})

/** The only moves a client asks for; the others belong to processing and review. */
export const StatusChange = Schema.Struct({
  status: Schema.Literal("submitted", "withdrawn").annotations({
    message: () => ({ message: "must be submitted or withdrawn", override: true })
  })
}).annotations({ identifier: "StatusChange" })

export class ApplicationsApi extends HttpApiGroup.make("applications")
  .add(
    HttpApiEndpoint.post("create", "/applications")
      .setPayload(CreateApplicationRequest)
      .addSuccess(ApplicationEnvelope, { status: 201 })
      .addError(Problems.MalformedBodyProblem)
      .addError(Problems.PayloadTooLargeProblem)
      .addError(Problems.UnsupportedContentTypeProblem)
      .addError(Problems.ValidationProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Create an application (loan officer or above); PII is encrypted before storage")
      .annotate(OpenApi.Transform, withLocationHeader("The new application"))
  )
  .add(
    HttpApiEndpoint.get("list", "/applications")
      .setUrlParams(ListApplicationsParams)
      .addSuccess(ApplicationPage)
      .addError(Problems.InvalidQueryProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(OpenApi.Summary, "List applications, newest first (loan officers see their own)")
  )
  .add(
    HttpApiEndpoint.get("get")`/applications/${Params.applicationId}`
      .addSuccess(ApplicationDetailEnvelope)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(OpenApi.Summary, "Read an application with its documents")
  )
  .add(
    HttpApiEndpoint.patch("changeStatus")`/applications/${Params.applicationId}`
      .setPayload(StatusChange)
      .addSuccess(ApplicationEnvelope)
      .addError(Problems.MalformedBodyProblem)
      .addError(Problems.PayloadTooLargeProblem)
      .addError(Problems.UnsupportedContentTypeProblem)
      .addError(Problems.ValidationProblem)
      .addError(Problems.NoDocumentsProblem)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.InvalidTransitionProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(
        OpenApi.Description,
        "`submitted` moves a draft with at least one document to submitted and on to processing " +
          "(two audit events, one transaction); `withdrawn` is allowed from draft, submitted and awaiting_review."
      )
      .annotate(OpenApi.Summary, "Submit or withdraw an application")
  )
  .add(
    HttpApiEndpoint.post("retry")`/applications/${Params.applicationId}/retry`
      .addSuccess(ApplicationEnvelope, { status: 202 })
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .addError(Problems.InvalidTransitionProblem)
      .addError(Problems.ChainBusyProblem)
      .annotate(OpenApi.Summary, "Retry processing after a processing error (senior underwriter or above, or the owner)")
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Title, "Applications")
{}
