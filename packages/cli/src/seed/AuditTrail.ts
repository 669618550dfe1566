/**
 * The audit trail each seed application would have if it had really gone
 * through the system: creation, document uploads, submission (two
 * transitions), the agents' decisions, the routing decision, and the human
 * review, withdrawal or processing error its status implies.
 *
 * Status changes reuse the domain's own event constructor and uploads
 * mirror Documents.upload (snake_case metadata: document id, media type,
 * size; never the file name), so a seeded event has the shape of a live one. Every event
 * carries `seed: true` in its metadata: the trail is fabricated, and an
 * auditor must be able to tell. Events hold ids, states, scores and reasons,
 * never a PII value.
 */
import * as Actor from "@loan-ledger/domain/Actor"
import { stateTransitionEvent } from "@loan-ledger/domain/Applications"
import type { Status } from "@loan-ledger/domain/ApplicationStatus"
import * as AuditEvent from "@loan-ledger/domain/AuditEvent"
import type { ConfidenceScore } from "@loan-ledger/domain/ConfidenceScore"
import type { ApiKeyId, ApplicationId } from "@loan-ledger/domain/Ids"
import * as Lifecycle from "@loan-ledger/domain/Lifecycle"
import * as Either from "effect/Either"
import { fill } from "./Ratios.js"
import type { SeedApplication } from "./SeedData.js"
import { keys } from "./SeedData.js"

/** What the trail needs to know about a stored document. */
export interface StoredDocument {
  readonly id: string
  readonly mediaType: string
  readonly sizeBytes: number
  /** HMAC of the plaintext content: links the upload event to the bytes without revealing them. */
  readonly contentHmac: string
}

const SEED = { seed: true } as const

const officer = Actor.apiKey(keys.loanOfficer.id as ApiKeyId, "loan_officer")
const underwriter = Actor.apiKey(keys.seniorUnderwriter.id as ApiKeyId, "senior_underwriter")

const systemActor = (name: string) => ({ actorId: name, actorType: "system" as const, actorRole: null })

/**
 * The trail, oldest first. `sign` is the HMAC under HMAC_SECRET_KEY used for
 * `input_data_hash` (never a plain hash: the input is PII-bearing). Fails
 * when the data describes a move the lifecycle forbids or a final status
 * other than the one declared.
 */
export const trailOf = (
  app: SeedApplication,
  documents: ReadonlyArray<StoredDocument>,
  sign: (data: string) => string
): Either.Either<ReadonlyArray<AuditEvent.AuditEventInput>, string> => {
  const id = app.id as ApplicationId
  const events: Array<AuditEvent.AuditEventInput> = []
  let status: Status = Lifecycle.initial
  let illegal: string | undefined

  const transition = (actor: Actor.Actor, to: Status, metadata: Record<string, string | boolean> = {}) => {
    if (!Lifecycle.canTransition(status, to)) illegal ??= `${app.borrowerName}: ${status} -> ${to} is not allowed`
    events.push(stateTransitionEvent(actor, id, status, to, { ...metadata, ...SEED }))
    status = to
  }
  const systemTransition = (to: Status, reasoning: string) => {
    if (!Lifecycle.canTransition(status, to)) illegal ??= `${app.borrowerName}: ${status} -> ${to} is not allowed`
    events.push(AuditEvent.makeInput({
      applicationId: id,
      eventType: "state_transition",
      ...systemActor("workflow"),
      reasoning,
      previousState: status,
      newState: to,
      metadata: SEED
    }))
    status = to
  }

  events.push(stateTransitionEvent(officer, id, null, Lifecycle.initial, SEED))

  for (const document of documents) {
    events.push(AuditEvent.makeInput({
      applicationId: id,
      eventType: "document_upload",
      ...Actor.auditFields(officer),
      inputDataHash: document.contentHmac,
      metadata: { document_id: document.id, media_type: document.mediaType, size_bytes: document.sizeBytes, ...SEED }
    }))
  }

  const outcome = app.outcome
  if (outcome._tag !== "Draft") {
    transition(officer, "submitted")
    transition(officer, "processing")
  }

  // What each agent saw: the application and its documents, by id (the HMAC keeps it unguessable).
  const agentInput = (agent: string) => sign(`${id}|${agent}|${documents.map((d) => d.contentHmac).join(",")}`)

  switch (outcome._tag) {
    case "Draft":
    case "Processing":
      break
    case "ProcessingError":
      events.push(AuditEvent.makeInput({
        applicationId: id,
        eventType: "agent_decision",
        actorId: outcome.failedAgent,
        actorType: "agent",
        agentName: outcome.failedAgent,
        reasoning: outcome.reason,
        inputDataHash: agentInput(outcome.failedAgent),
        metadata: { outcome: "error", attempts: 3, ...SEED }
      }))
      systemTransition("processing_error", outcome.reason)
      break
    case "Decided": {
      for (const d of outcome.decisions) {
        events.push(AuditEvent.makeInput({
          applicationId: id,
          eventType: "agent_decision",
          actorId: d.agent,
          actorType: "agent",
          agentName: d.agent,
          confidenceScore: d.confidence as ConfidenceScore,
          reasoning: fill(app, d.reasoning),
          inputDataHash: agentInput(d.agent),
          metadata: { recommendation: d.recommendation, ...SEED }
        }))
      }
      const route = outcome.route
      events.push(AuditEvent.makeInput({
        applicationId: id,
        eventType: "routing_decision",
        ...systemActor("router"),
        confidenceScore: route.confidence as ConfidenceScore,
        reasoning: route._tag === "AutoApprove"
          ? "Every agent recommends approval and the aggregate confidence meets auto_approve_min."
          : route.detail,
        metadata: {
          route: route._tag === "AutoApprove" ? "auto_approve" : "human_review",
          ...(route._tag === "Escalate" ? { reason: route.reason } : {}),
          // Thresholds as decimal strings: audit metadata holds no floats.
          auto_approve_min: "0.850",
          escalate_below: "0.600",
          ...SEED
        }
      }))
      if (route._tag === "AutoApprove") {
        systemTransition("approved", "Auto-approved by routing.")
        break
      }
      systemTransition("awaiting_review", route.detail)
      const review = outcome.review
      if (review === undefined) break
      if (review._tag === "Withdrawn") {
        transition(officer, "withdrawn", { reason: "borrower_request" })
        break
      }
      const decision = review._tag === "Approved" ? "approve" : "deny"
      events.push(AuditEvent.makeInput({
        applicationId: id,
        eventType: "human_review",
        ...Actor.auditFields(underwriter),
        reasoning: review.reasoning,
        metadata: { decision, ...SEED }
      }))
      transition(underwriter, review._tag === "Approved" ? "approved" : "denied", { decision })
      break
    }
  }

  if (illegal !== undefined) return Either.left(illegal)
  if (status !== app.status) return Either.left(`${app.borrowerName}: the trail ends in ${status}, the data says ${app.status}`)
  return Either.right(events)
}
