/**
 * `seed` and `seed --remove`: the demo data written through the system's own
 * ports (repositories, content store, audit log, unit of work), on the
 * owner's connection, one transaction per key and per application, each
 * holding its chain's lock.
 *
 * Idempotent by fixed ids: a key or an application that exists is left
 * exactly as it is (checked under its chain lock, so two seeds at once also
 * create each row once). A seed key that expired or was deactivated is
 * reported, never replaced behind the operator's back.
 */
import * as Actor from "@loan-ledger/domain/Actor"
import * as ApiKey from "@loan-ledger/domain/ApiKey"
import * as Applications from "@loan-ledger/domain/Applications"
import { ApiKeyRecord, type KeyHash } from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeyRepository } from "@loan-ledger/domain/ApiKeyRepository"
import { ApplicationRepository } from "@loan-ledger/domain/ApplicationRepository"
import * as AuditEvent from "@loan-ledger/domain/AuditEvent"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { DocumentContentStore } from "@loan-ledger/domain/DocumentContentStore"
import { DocumentRepository } from "@loan-ledger/domain/DocumentRepository"
import { Hmac } from "@loan-ledger/domain/Hmac"
import type { ApiKeyId, ApplicationId, DocumentId } from "@loan-ledger/domain/Ids"
import { CreateApplicationRequest } from "@loan-ledger/domain/LoanApplication"
import { type Filename, LoanDocument } from "@loan-ledger/domain/LoanDocument"
import { PiiVault } from "@loan-ledger/domain/PiiVault"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import { UnitOfWork } from "@loan-ledger/domain/UnitOfWork"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { trailOf } from "./AuditTrail.js"
import * as SeedData from "./SeedData.js"
import { render } from "./SeedDocuments.js"
import { type Removed, SeedStore } from "@loan-ledger/adapters-pg/SeedStore"

export type KeyOutcome =
  | { readonly _tag: "Created"; readonly record: ApiKeyRecord; readonly key: Redacted.Redacted<string> }
  | { readonly _tag: "Present"; readonly record: ApiKeyRecord }

export interface ApplicationsOutcome {
  readonly created: number
  readonly present: number
  readonly documents: number
  readonly events: number
}

const HOUR_SECONDS = 3600

/** The key-management event of ApiKeys.create, so a seed key's creation reads like any other. */
const keyCreatedEvent = (actor: Actor.Actor, record: ApiKeyRecord) =>
  AuditEvent.makeInput({
    applicationId: null,
    eventType: "key_management",
    ...Actor.auditFields(actor),
    metadata: {
      action: "created",
      key_id: record.id,
      role: record.role,
      is_seed: true,
      expires_at: record.expiresAt
    }
  })

/** Creates the seed keys that do not exist yet; existing ones are returned untouched. */
export const seedKeys = (actor: Actor.Actor) =>
  Effect.gen(function*() {
    const uow = yield* UnitOfWork
    const keys = yield* ApiKeyRepository
    const audit = yield* AuditLog
    const hmac = yield* Hmac
    const now = yield* Timestamp.now
    return yield* Effect.forEach(SeedData.allKeys, (seedKey) =>
      uow.transaction(
        [ChainKey.system],
        Effect.gen(function*() {
          const existing = yield* keys.findByIdForUpdate(seedKey.id as ApiKeyId)
          if (Option.isSome(existing)) return { _tag: "Present", record: existing.value } satisfies KeyOutcome
          const key = ApiKey.generate(seedKey.role)
          const record = ApiKeyRecord.make({
            id: seedKey.id as ApiKeyId,
            keyHash: hmac.sign(Redacted.value(key)) as KeyHash,
            role: seedKey.role,
            description: seedKey.description,
            expiresAt: Timestamp.addSeconds(now, SeedData.SEED_KEY_LIFETIME_HOURS * HOUR_SECONDS),
            isActive: true,
            isSeed: true,
            createdAt: now
          })
          yield* keys.insert(record)
          yield* audit.append(keyCreatedEvent(actor, record))
          return { _tag: "Created", record, key } satisfies KeyOutcome
        })
      ))
  })

const decodeRequest = Schema.decodeUnknown(CreateApplicationRequest)

/** One application with its documents and trail, in one transaction; nothing if it exists. */
const seedApplication = (app: SeedData.SeedApplication) =>
  Effect.gen(function*() {
    const uow = yield* UnitOfWork
    const applications = yield* ApplicationRepository
    const documents = yield* DocumentRepository
    const contents = yield* DocumentContentStore
    const audit = yield* AuditLog
    const vault = yield* PiiVault
    const hmac = yield* Hmac
    const id = app.id as ApplicationId

    if (Option.isSome(yield* applications.findById(id))) return Option.none()

    // The same schema as an API request: the seed cannot hold a value the system would refuse.
    const request = yield* Effect.orDie(decodeRequest({
      borrowerName: app.borrowerName,
      ssn: app.ssn,
      annualIncome: app.annualIncome,
      monthlyDebts: app.monthlyDebts,
      loanAmount: app.loanAmount,
      propertyValue: app.propertyValue,
      loanTermMonths: app.loanTermMonths,
      interestRate: app.interestRate,
      propertyAddress: app.propertyAddress,
      ...(app.accountNumbers === undefined ? {} : { accountNumbers: app.accountNumbers }),
      ...(app.governmentId === undefined ? {} : { governmentId: app.governmentId })
    }))
    const now = yield* Timestamp.now
    const createdBy = SeedData.keys.loanOfficer.id as ApiKeyId

    const files = yield* Effect.forEach(app.documents, (document) =>
      Effect.map(Effect.sync(() => render(document)), (bytes) => ({ document, bytes })))
    const stored = yield* Effect.forEach(files, ({ bytes, document }) =>
      Effect.map(vault.encrypt(Redacted.make(bytes)), (ciphertext) => ({
        record: LoanDocument.make({
          id: document.id as DocumentId,
          applicationId: id,
          filename: document.filename as Filename,
          mediaType: document.mediaType,
          sizeBytes: bytes.length,
          contentHmac: hmac.sign(bytes),
          uploadedBy: createdBy,
          createdAt: now
        }),
        ciphertext
      })))

    const trail = trailOf(
      app,
      stored.map(({ record }) => ({
        id: record.id,
        mediaType: record.mediaType,
        sizeBytes: record.sizeBytes,
        contentHmac: record.contentHmac
      })),
      (data) => hmac.sign(data)
    )
    if (Either.isLeft(trail)) return yield* Effect.dieMessage(`seed data is inconsistent: ${trail.left}`)

    const application = yield* Applications.seal(request, { id, status: app.status, createdBy, now })

    return yield* uow.transaction(
      [ChainKey.application(id)],
      Effect.gen(function*() {
        // Decided under the chain lock: a concurrent seed that got here first wins, this one adds nothing.
        if (Option.isSome(yield* applications.findByIdForUpdate(id))) return Option.none()
        yield* applications.insert(application)
        for (const { ciphertext, record } of stored) {
          yield* documents.insert(record)
          yield* contents.put(record.id, ciphertext)
        }
        for (const event of trail.right) yield* audit.append(event)
        return Option.some({ documents: stored.length, events: trail.right.length })
      })
    )
  })

export const seedApplications = Effect.gen(function*() {
  let created = 0
  let present = 0
  let documents = 0
  let events = 0
  for (const app of SeedData.applications) {
    const outcome = yield* seedApplication(app)
    if (Option.isNone(outcome)) {
      present++
    } else {
      created++
      documents += outcome.value.documents
      events += outcome.value.events
    }
  }
  return { created, present, documents, events } satisfies ApplicationsOutcome
})

export const restoreThresholds = Effect.flatMap(SeedStore, (store) => store.restoreThresholds(SeedData.thresholds))

/**
 * Removes the seed applications (documents, checkpoints, audit chains) and
 * deactivates the seed keys in one transaction that also records what it did
 * on the system chain. Nothing at all is written when nothing is left.
 */
export const remove = (actor: Actor.Actor) =>
  Effect.gen(function*() {
    const uow = yield* UnitOfWork
    const audit = yield* AuditLog
    const store = yield* SeedStore
    const chains = [ChainKey.system, ...SeedData.applicationIds.map((id) => ChainKey.application(id as ApplicationId))]
    return yield* uow.transaction(
      chains,
      Effect.gen(function*() {
        const present = yield* store.present(SeedData.applicationIds, SeedData.keyIds)
        if (present.applications === 0 && present.auditEvents === 0 && present.activeKeys === 0) {
          return Option.none<Removed>()
        }
        const removed = yield* store.remove(SeedData.applicationIds, SeedData.keyIds)
        for (const keyId of removed.keysDeactivated) {
          yield* audit.append(AuditEvent.makeInput({
            applicationId: null,
            eventType: "key_management",
            ...Actor.auditFields(actor),
            reasoning: "seed data removed",
            metadata: { action: "revoked", key_id: keyId, is_seed: true }
          }))
        }
        yield* audit.append(AuditEvent.makeInput({
          applicationId: null,
          eventType: "maintenance",
          ...Actor.auditFields(actor),
          reasoning: "seed --remove: seed applications, their documents and audit chains deleted; seed keys deactivated",
          metadata: {
            action: "seed_remove",
            // Which chains ended here on purpose: a verifier can tell them from tampering.
            removed_chains: [...SeedData.applicationIds],
            applications_removed: removed.applications,
            documents_removed: removed.documents,
            checkpoints_removed: removed.checkpoints,
            audit_events_removed: removed.auditEvents,
            keys_deactivated: [...removed.keysDeactivated]
          }
        }))
        return Option.some(removed)
      })
    )
  })
