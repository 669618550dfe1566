import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { AuditEvent } from "@loan-ledger/domain/AuditEvent"
import { AuditTrail } from "@loan-ledger/domain/AuditTrail"
import * as Pagination from "@loan-ledger/domain/Pagination"
import { LoanLedgerApi } from "../Api.js"
import { CurrentActor } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { asInvalidQuery } from "../Problems.js"
import * as Respond from "../Respond.js"
import { AuditEventPage, type AuditEventView } from "./Api.js"

export const toView = (event: AuditEvent): AuditEventView => ({
  id: event.id,
  applicationId: event.applicationId,
  eventType: event.eventType,
  actorId: event.actorId,
  actorType: event.actorType,
  actorRole: event.actorRole,
  agentName: event.agentName,
  confidenceScore: event.confidenceScore,
  reasoning: event.reasoning,
  inputDataHash: event.inputDataHash,
  previousState: event.previousState,
  newState: event.newState,
  metadata: event.metadata,
  prevEventHash: event.prevEventHash,
  createdAt: event.createdAt
})

export const AuditEventsLive = HttpApiBuilder.group(LoanLedgerApi, "auditEvents", (handlers) =>
  Effect.gen(function* () {
    const trail = yield* AuditTrail
    return handlers.handle("list", ({ path, urlParams }) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const page = yield* trail
          .query(actor, {
            applicationId: Option.some(path.id),
            eventType: Option.fromNullable(urlParams.eventType),
            from: Option.fromNullable(urlParams.dateFrom),
            to: Option.fromNullable(urlParams.dateTo),
            page: { cursor: Option.fromNullable(urlParams.cursor), limit: urlParams.limit }
          })
          .pipe(asInvalidQuery)
        return yield* Respond.ok(AuditEventPage, Envelope.page(Pagination.map(page, toView)))
      })
    )
  })
)
