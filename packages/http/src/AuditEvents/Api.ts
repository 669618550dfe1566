/** The audit trail of one application, oldest first. */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Status } from "@loan-ledger/domain/ApplicationStatus"
import { ActorType, EventType } from "@loan-ledger/domain/AuditEvent"
import { ApplicationId } from "@loan-ledger/domain/Ids"
import { MAX_AUDIT_LIMIT } from "@loan-ledger/domain/Pagination"
import { Role } from "@loan-ledger/domain/Role"
import { Authentication } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import * as Params from "../Params.js"
import * as Problems from "../Problems.js"

/** An audit event as shown: ids, roles, states and reasons, never PII. */
export const AuditEventView = Schema.Struct({
  id: Schema.String.annotations({ description: "A BIGINT as a decimal string" }),
  applicationId: Schema.NullOr(ApplicationId),
  eventType: EventType,
  actorId: Schema.String,
  actorType: ActorType,
  actorRole: Schema.NullOr(Role),
  agentName: Schema.NullOr(Schema.String),
  confidenceScore: Schema.NullOr(Schema.String).annotations({ description: "0 to 1 with three decimals" }),
  reasoning: Schema.NullOr(Schema.String),
  inputDataHash: Schema.NullOr(Schema.String),
  previousState: Schema.NullOr(Status),
  newState: Schema.NullOr(Status),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  prevEventHash: Schema.String,
  createdAt: Schema.String
}).annotations({ identifier: "AuditEvent" })
export type AuditEventView = typeof AuditEventView.Type

export const AuditEventPage = Envelope.Page(AuditEventView, "AuditEventPage")

export const LIST_DEFAULT_LIMIT = 50
export const LIST_MAX_LIMIT = MAX_AUDIT_LIMIT

export const ListAuditEventsParams = Schema.Struct({
  eventType: Params.eventType,
  dateFrom: Params.dateFrom,
  dateTo: Params.dateTo,
  cursor: Params.cursor,
  limit: Params.limit(LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT)
})

export class AuditEventsApi extends HttpApiGroup.make("auditEvents")
  .add(
    HttpApiEndpoint.get("list")`/applications/${Params.applicationId}/audit-events`
      .setUrlParams(ListAuditEventsParams)
      .addSuccess(AuditEventPage)
      .addError(Problems.InvalidQueryProblem)
      .addError(Problems.NotFoundProblem)
      .addError(Problems.ForbiddenProblem)
      .annotate(
        OpenApi.Description,
        "`dateFrom` is inclusive and `dateTo` exclusive; both are ISO 8601 date-times with an offset."
      )
      .annotate(OpenApi.Summary, "An application's audit trail, oldest first")
  )
  .middleware(Authentication)
  .prefix("/v1")
  .annotate(OpenApi.Title, "Audit events")
{}
