/**
 * Use cases of the audit trail: record an event, query a chain, verify a
 * chain (or all of them). Loan officers read and verify the chains of their
 * own applications; the system chain is for reviewers (and operators).
 *
 * Events that other use cases produce (state transitions, uploads,
 * downloads, key management, authentication) cannot be recorded here: the
 * log must not be able to claim a transition or an access that did not
 * happen through its use case.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Actor from "./Actor.js"
import { ApplicationRepository } from "./ApplicationRepository.js"
import * as AuditChain from "./AuditChain.js"
import * as AuditEvent from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { Metadata } from "./CanonicalJson.js"
import * as ChainKey from "./ChainKey.js"
import { ConfidenceScoreFromInput } from "./ConfidenceScore.js"
import { NotFound } from "./Errors.js"
import { ApplicationId } from "./Ids.js"
import type { LoanApplication } from "./LoanApplication.js"
import type { PageRequest } from "./Pagination.js"
import * as Policy from "./Policy.js"
import type { Timestamp } from "./Timestamp.js"
import { UnitOfWork } from "./UnitOfWork.js"

export const RecordableEventType = Schema.Literal(
  "agent_decision",
  "routing_decision",
  "human_review",
  "threshold_change",
  "maintenance"
)
export type RecordableEventType = typeof RecordableEventType.Type

const text = (max: number) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(max, { message: () => `must be at most ${max} characters` })
  )

/** The body of "record audit event"; without `applicationId` it goes to the system chain. */
export const RecordEventRequest = Schema.Struct({
  applicationId: Schema.optional(ApplicationId),
  eventType: RecordableEventType,
  agentName: Schema.optional(text(200)),
  confidenceScore: Schema.optional(ConfidenceScoreFromInput),
  reasoning: Schema.optional(text(10_000)),
  inputDataHash: Schema.optional(AuditEvent.Hash),
  metadata: Schema.optionalWith(Metadata, { default: () => ({}) })
})
export type RecordEventRequest = typeof RecordEventRequest.Type

export interface AuditTrailQuery {
  /** None = the system chain. */
  readonly applicationId: Option.Option<ApplicationId>
  readonly eventType: Option.Option<AuditEvent.EventType>
  readonly from: Option.Option<Timestamp>
  readonly to: Option.Option<Timestamp>
  readonly page: PageRequest
}

export class AuditTrail extends Effect.Service<AuditTrail>()("@loan-ledger/domain/AuditTrail", {
  effect: Effect.gen(function*() {
    const applications = yield* ApplicationRepository
    const audit = yield* AuditLog
    const uow = yield* UnitOfWork

    const loadApplication = (id: ApplicationId) =>
      Effect.flatMap(applications.findById(id), Option.match({
        onNone: () => Effect.fail(new NotFound({ entity: "application", id })),
        onSome: Effect.succeed
      }))

    const eventOf = (actor: Actor.Actor, applicationId: ApplicationId | null, request: RecordEventRequest) =>
      AuditEvent.makeInput({
        applicationId,
        eventType: request.eventType,
        ...Actor.auditFields(actor),
        agentName: request.agentName ?? null,
        confidenceScore: request.confidenceScore ?? null,
        reasoning: request.reasoning ?? null,
        inputDataHash: request.inputDataHash ?? null,
        metadata: request.metadata
      })

    const record = (actor: Actor.Actor, request: RecordEventRequest) => {
      const applicationId = request.applicationId
      if (applicationId === undefined) {
        return Effect.flatMap(Policy.granted("audit:record-system"), (grant) =>
          uow.transaction([ChainKey.system], audit.append(eventOf(grant.actor, null, request)))).pipe(
            Policy.authorize(actor, "audit:record-system")
          )
      }
      return Effect.flatMap(loadApplication(applicationId), (application: LoanApplication) =>
        Effect.flatMap(Policy.granted("audit:record"), (grant) =>
          uow.transaction(
            [ChainKey.application(grant.application.id)],
            audit.append(eventOf(grant.actor, grant.application.id, request))
          )).pipe(Policy.authorizeApplication(actor, "audit:record", application)))
    }

    /** Runs `use` on a chain the actor may read. */
    const withReadableChain = <A, E>(
      actor: Actor.Actor,
      applicationId: Option.Option<ApplicationId>,
      use: (chain: ChainKey.ChainKey) => Effect.Effect<A, E>
    ) =>
      Option.match(applicationId, {
        onNone: () =>
          Effect.flatMap(Policy.granted("audit:read-system"), () => use(ChainKey.system)).pipe(
            Policy.authorize(actor, "audit:read-system")
          ),
        onSome: (id) =>
          Effect.flatMap(loadApplication(id), (application) =>
            Effect.flatMap(Policy.granted("audit:read"), (grant) => use(ChainKey.application(grant.application.id)))
              .pipe(Policy.authorizeApplication(actor, "audit:read", application)))
      })

    const query = (actor: Actor.Actor, q: AuditTrailQuery) =>
      withReadableChain(actor, q.applicationId, (chain) =>
        audit.query({ chain, eventType: q.eventType, from: q.from, to: q.to, page: q.page }))

    /** Verifies one chain in constant memory. A broken chain is a result, not an error. */
    const verify = (actor: Actor.Actor, applicationId: Option.Option<ApplicationId>) =>
      withReadableChain(actor, applicationId, (chain) => AuditChain.verifyRows(chain, audit.readChain(chain)))

    /** Verifies every chain, one after the other (reviewers and operators). */
    const verifyAll = (actor: Actor.Actor) =>
      Stream.unwrap(
        Effect.map(Policy.granted("audit:read-system"), () =>
          Stream.mapEffect(audit.chains, (chain) => AuditChain.verifyRows(chain, audit.readChain(chain)))).pipe(
            Policy.authorize(actor, "audit:read-system")
          )
      )

    return { record, query, verify, verifyAll } as const
  })
}) {}
