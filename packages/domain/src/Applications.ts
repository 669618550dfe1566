/**
 * Use cases of loan applications: create, list, get, submit, withdraw,
 * retry. Each write runs in one UnitOfWork transaction holding the
 * application's chain lock, reads its row FOR UPDATE, checks the policy and
 * the lifecycle on that row, writes, and appends its audit events; so a
 * double-clicked submit or two racing retries resolve to one valid outcome.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Actor from "./Actor.js"
import { ApplicationRepository } from "./ApplicationRepository.js"
import type { Status } from "./ApplicationStatus.js"
import * as AuditEvent from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import * as ChainKey from "./ChainKey.js"
import { DocumentRepository } from "./DocumentRepository.js"
import { NoDocuments, NotFound } from "./Errors.js"
import { type ApiKeyId, type ApplicationId, newApplicationId } from "./Ids.js"
import * as Lifecycle from "./Lifecycle.js"
import { type CreateApplicationRequest, LoanApplication } from "./LoanApplication.js"
import type { PageRequest } from "./Pagination.js"
import * as Pii from "./Pii.js"
import { PiiVault } from "./PiiVault.js"
import * as Policy from "./Policy.js"
import { ProcessingQueue, type ProcessingReason, ProcessingRequest } from "./ProcessingQueue.js"
import * as Timestamp from "./Timestamp.js"
import { UnitOfWork } from "./UnitOfWork.js"

export interface ListApplicationsQuery {
  readonly status: Option.Option<Status>
  readonly page: PageRequest
}

/** The audit event of one status change. */
export const stateTransitionEvent = (
  actor: Actor.Actor,
  applicationId: ApplicationId,
  previousState: Status | null,
  newState: Status,
  metadata: AuditEvent.AuditEventInput["metadata"] = {}
): AuditEvent.AuditEventInput =>
  AuditEvent.makeInput({
    applicationId,
    eventType: "state_transition",
    ...Actor.auditFields(actor),
    previousState,
    newState,
    metadata
  })

/**
 * A new application from a decoded request: PII encrypted by the vault (SSN
 * and government id as UTF-8 text, account numbers as one JSON array), money
 * as cents. One definition for the API's create and for the seed, so both
 * store PII the same way.
 */
export const seal = (
  request: CreateApplicationRequest,
  fields: {
    readonly id: ApplicationId
    readonly status: Status
    readonly createdBy: ApiKeyId
    readonly now: Timestamp.Timestamp
  }
) =>
  Effect.gen(function*() {
    const vault = yield* PiiVault
    const encryptText = (value: Redacted.Redacted<string>) =>
      vault.encrypt(Redacted.make(new TextEncoder().encode(Redacted.value(value))))
    const ssnEncrypted = yield* encryptText(request.ssn)
    const accountNumbersEncrypted = request.accountNumbers === undefined
      ? null
      : yield* encryptText(Redacted.make(JSON.stringify(Redacted.value(request.accountNumbers))))
    const governmentIdEncrypted = request.governmentId === undefined ? null : yield* encryptText(request.governmentId)
    return LoanApplication.make({
      id: fields.id,
      borrowerName: request.borrowerName,
      ssnEncrypted,
      ssnLast4: Pii.ssnLast4(request.ssn),
      loanAmountCents: request.loanAmount,
      propertyValueCents: request.propertyValue,
      annualIncomeCents: request.annualIncome,
      monthlyDebtsCents: request.monthlyDebts,
      loanTermMonths: request.loanTermMonths,
      interestRate: request.interestRate,
      propertyAddress: request.propertyAddress,
      accountNumbersEncrypted,
      governmentIdEncrypted,
      status: fields.status,
      createdBy: fields.createdBy,
      createdAt: fields.now,
      updatedAt: fields.now
    })
  })

export class Applications extends Effect.Service<Applications>()("@loan-ledger/domain/Applications", {
  effect: Effect.gen(function*() {
    const applications = yield* ApplicationRepository
    const documents = yield* DocumentRepository
    const audit = yield* AuditLog
    const uow = yield* UnitOfWork
    const queue = yield* ProcessingQueue
    const vault = yield* PiiVault

    const notFound = (id: ApplicationId) => new NotFound({ entity: "application", id })

    const load = (id: ApplicationId) =>
      Effect.flatMap(applications.findById(id), Option.match({
        onNone: () => Effect.fail(notFound(id)),
        onSome: Effect.succeed
      }))

    const loadForUpdate = (id: ApplicationId) =>
      Effect.flatMap(applications.findByIdForUpdate(id), Option.match({
        onNone: () => Effect.fail(notFound(id)),
        onSome: Effect.succeed
      }))

    const ownerOf = (actor: Actor.Actor) =>
      Option.match(Actor.keyIdOf(actor), {
        onNone: () => Effect.dieMessage("the policy let an actor without a key create an application"),
        onSome: Effect.succeed
      })

    const create = (actor: Actor.Actor, request: CreateApplicationRequest) =>
      Effect.gen(function*() {
        const grant = yield* Policy.granted("application:create")
        const createdBy = yield* ownerOf(grant.actor)
        const id = newApplicationId()
        // Encryption happens before the transaction: it needs no lock.
        const application = yield* seal(request, { id, status: Lifecycle.initial, createdBy, now: yield* Timestamp.now })
          .pipe(Effect.provideService(PiiVault, vault))
        yield* uow.transaction(
          [ChainKey.application(id)],
          Effect.zipRight(
            applications.insert(application),
            audit.append(stateTransitionEvent(grant.actor, id, null, Lifecycle.initial))
          )
        )
        return application
      }).pipe(Policy.authorize(actor, "application:create"))

    const list = (actor: Actor.Actor, query: ListApplicationsQuery) =>
      Effect.gen(function*() {
        const grant = yield* Policy.granted("application:list")
        return yield* applications.list({
          createdBy: Policy.listScope(grant.actor),
          status: query.status,
          page: query.page
        })
      }).pipe(Policy.authorize(actor, "application:list"))

    const get = (actor: Actor.Actor, id: ApplicationId) =>
      Effect.flatMap(load(id), (application) =>
        Effect.map(Policy.granted("application:read"), (grant) => grant.application).pipe(
          Policy.authorizeApplication(actor, "application:read", application)
        ))

    /** Moves the application through `steps` and records one event per step. */
    const move = (
      actor: Actor.Actor,
      application: LoanApplication,
      steps: ReadonlyArray<readonly [Status, Status]>,
      processing: Option.Option<ProcessingReason>
    ) =>
      Effect.gen(function*() {
        const now = yield* Timestamp.now
        const to = steps[steps.length - 1]![1]
        yield* applications.updateStatus(application.id, to, now)
        for (const [from, next] of steps) {
          yield* audit.append(stateTransitionEvent(actor, application.id, from, next))
        }
        if (Option.isSome(processing)) {
          yield* queue.enqueue(ProcessingRequest.make({
            applicationId: application.id,
            reason: processing.value,
            requestedBy: Actor.auditFields(actor).actorId,
            requestedAt: now
          }))
        }
        return LoanApplication.make({ ...application, status: to, updatedAt: now })
      })

    const inTransaction = <A, E, R>(
      id: ApplicationId,
      body: (application: LoanApplication) => Effect.Effect<A, E, R>
    ) => uow.transaction([ChainKey.application(id)], Effect.flatMap(loadForUpdate(id), body))

    /** draft -> submitted -> processing: two events, one transaction, then hand-over to processing. */
    const submit = (actor: Actor.Actor, id: ApplicationId) =>
      inTransaction(id, (application) =>
        Effect.gen(function*() {
          const grant = yield* Policy.granted("application:submit")
          const app = grant.application
          const steps = yield* Lifecycle.submitSteps(app.status)
          if ((yield* documents.countForApplication(app.id)) === 0) {
            return yield* new NoDocuments({ applicationId: app.id })
          }
          return yield* move(grant.actor, app, steps, Option.some("submitted"))
        }).pipe(Policy.authorizeApplication(actor, "application:submit", application)))

    const withdraw = (actor: Actor.Actor, id: ApplicationId) =>
      inTransaction(id, (application) =>
        Effect.gen(function*() {
          const grant = yield* Policy.granted("application:withdraw")
          const to = yield* Lifecycle.withdraw(grant.application.status)
          return yield* move(grant.actor, grant.application, [[grant.application.status, to]], Option.none())
        }).pipe(Policy.authorizeApplication(actor, "application:withdraw", application)))

    /** processing_error -> processing, for senior underwriters and above or the owning officer. */
    const retry = (actor: Actor.Actor, id: ApplicationId) =>
      inTransaction(id, (application) =>
        Effect.gen(function*() {
          const grant = yield* Policy.granted("application:retry")
          const to = yield* Lifecycle.retry(grant.application.status)
          return yield* move(grant.actor, grant.application, [[grant.application.status, to]], Option.some("retry"))
        }).pipe(Policy.authorizeApplication(actor, "application:retry", application)))

    return { create, list, get, submit, withdraw, retry } as const
  })
}) {}
