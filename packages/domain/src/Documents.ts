/**
 * Use cases of documents: upload, list, get, download. Contents are checked
 * by their bytes (DocumentContent), encrypted by the PiiVault before they
 * reach storage, and every download is recorded as a `document_access`
 * event. Audit metadata holds the document id, type and size, never the
 * file name: names like "john-smith-ssn.pdf" are PII.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Actor from "./Actor.js"
import { ApplicationRepository } from "./ApplicationRepository.js"
import * as AuditEvent from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import * as ChainKey from "./ChainKey.js"
import { DocumentContentStore } from "./DocumentContentStore.js"
import * as DocumentContent from "./DocumentContent.js"
import { DocumentRepository } from "./DocumentRepository.js"
import { Conflict, DocumentLimitReached, DocumentTooLarge, NotFound } from "./Errors.js"
import { Hmac } from "./Hmac.js"
import { type ApplicationId, type DocumentId, newDocumentId } from "./Ids.js"
import type { LoanApplication } from "./LoanApplication.js"
import { LoanDocument, MAX_DOCUMENTS_PER_APPLICATION } from "./LoanDocument.js"
import type { PageRequest } from "./Pagination.js"
import { PiiVault } from "./PiiVault.js"
import * as Policy from "./Policy.js"
import * as Timestamp from "./Timestamp.js"
import { UnitOfWork } from "./UnitOfWork.js"

export interface UploadRequest {
  /** The client's file name; only a sanitised form is kept. */
  readonly filename: string
  readonly content: Uint8Array
}

export interface Download {
  readonly document: LoanDocument
  readonly content: Redacted.Redacted<Uint8Array>
}

export class Documents extends Effect.Service<Documents>()("@loan-ledger/domain/Documents", {
  effect: Effect.gen(function*() {
    const applications = yield* ApplicationRepository
    const documents = yield* DocumentRepository
    const contents = yield* DocumentContentStore
    const audit = yield* AuditLog
    const uow = yield* UnitOfWork
    const vault = yield* PiiVault
    const hmac = yield* Hmac

    const applicationNotFound = (id: ApplicationId) => new NotFound({ entity: "application", id })

    const load = (id: ApplicationId) =>
      Effect.flatMap(applications.findById(id), Option.match({
        onNone: () => Effect.fail(applicationNotFound(id)),
        onSome: Effect.succeed
      }))

    const loadDocument = (applicationId: ApplicationId, documentId: DocumentId) =>
      Effect.flatMap(documents.findById(applicationId, documentId), Option.match({
        onNone: () => Effect.fail(new NotFound({ entity: "document", id: documentId })),
        onSome: Effect.succeed
      }))

    const upload = (actor: Actor.Actor, applicationId: ApplicationId, request: UploadRequest) =>
      Effect.gen(function*() {
        if (request.content.length > DocumentContent.MAX_BYTES) {
          return yield* new DocumentTooLarge({ maxBytes: DocumentContent.MAX_BYTES })
        }
        const mediaType = yield* DocumentContent.inspect(request.content)
        // Check the caller before spending time on encryption; the decisive
        // check runs again on the locked row below.
        const visible = yield* load(applicationId)
        yield* Policy.authorizeApplication(actor, "document:upload", visible)(Effect.void)
        const ciphertext = yield* vault.encrypt(Redacted.make(request.content))
        const contentHmac = hmac.sign(request.content)
        const id = newDocumentId()
        const filename = DocumentContent.sanitizeFilename(request.filename, mediaType)

        const body = Effect.gen(function*() {
          const grant = yield* Policy.granted("document:upload")
          const app: LoanApplication = grant.application
          if (app.status !== "draft") {
            return yield* new Conflict({ reason: `documents can only be added to a draft application (status: ${app.status})` })
          }
          if ((yield* documents.countForApplication(app.id)) >= MAX_DOCUMENTS_PER_APPLICATION) {
            return yield* new DocumentLimitReached({ applicationId: app.id, limit: MAX_DOCUMENTS_PER_APPLICATION })
          }
          const document = LoanDocument.make({
            id,
            applicationId: app.id,
            filename,
            mediaType,
            sizeBytes: request.content.length,
            contentHmac,
            uploadedBy: yield* Option.match(Actor.keyIdOf(grant.actor), {
              // The policy gives document:upload to API keys only.
              onNone: () => Effect.dieMessage("the policy let an actor without a key upload a document"),
              onSome: Effect.succeed
            }),
            createdAt: yield* Timestamp.now
          })
          yield* documents.insert(document)
          yield* contents.put(id, ciphertext)
          yield* audit.append(AuditEvent.makeInput({
            applicationId: app.id,
            eventType: "document_upload",
            ...Actor.auditFields(grant.actor),
            inputDataHash: contentHmac,
            metadata: { document_id: id, media_type: mediaType, size_bytes: request.content.length }
          }))
          return document
        })

        return yield* uow.transaction(
          [ChainKey.application(applicationId)],
          Effect.flatMap(applications.findByIdForUpdate(applicationId), Option.match({
            onNone: () => Effect.fail(applicationNotFound(applicationId)),
            onSome: (application) => body.pipe(Policy.authorizeApplication(actor, "document:upload", application))
          }))
        )
      })

    const list = (actor: Actor.Actor, applicationId: ApplicationId, page: PageRequest) =>
      Effect.flatMap(load(applicationId), (application) =>
        Effect.flatMap(Policy.granted("document:read"), (grant) =>
          documents.listForApplication(grant.application.id, page)).pipe(
            Policy.authorizeApplication(actor, "document:read", application)
          ))

    const get = (actor: Actor.Actor, applicationId: ApplicationId, documentId: DocumentId) =>
      Effect.flatMap(load(applicationId), (application) =>
        Effect.flatMap(Policy.granted("document:read"), (grant) =>
          loadDocument(grant.application.id, documentId)).pipe(
            Policy.authorizeApplication(actor, "document:read", application)
          ))

    /** Decrypts a document for an allowed caller and records the access. */
    const download = (actor: Actor.Actor, applicationId: ApplicationId, documentId: DocumentId) =>
      Effect.flatMap(load(applicationId), (application) =>
        Effect.gen(function*() {
          const grant = yield* Policy.granted("document:download")
          const document = yield* loadDocument(grant.application.id, documentId)
          const stored = yield* contents.get(document.id)
          if (Option.isNone(stored)) {
            return yield* Effect.dieMessage(`document ${document.id} has no stored content`)
          }
          const content = yield* vault.decrypt(stored.value)
          // The access is on the record before any byte leaves.
          yield* uow.transaction(
            [ChainKey.application(document.applicationId)],
            audit.append(AuditEvent.makeInput({
              applicationId: document.applicationId,
              eventType: "document_access",
              ...Actor.auditFields(grant.actor),
              metadata: { document_id: document.id, access: "download" }
            }))
          )
          return { document, content } satisfies Download
        }).pipe(Policy.authorizeApplication(actor, "document:download", application)))

    /**
     * A document by its id alone. Its application decides who may see it;
     * a caller who may not gets "document not found", never the id of the
     * application behind it.
     */
    const byDocumentId = <A, E, R>(
      documentId: DocumentId,
      use: (applicationId: ApplicationId) => Effect.Effect<A, E | NotFound, R>
    ): Effect.Effect<A, E | NotFound, R> => {
      const documentNotFound = new NotFound({ entity: "document", id: documentId })
      return Effect.flatMap(documents.findByDocumentId(documentId), Option.match({
        onNone: () => Effect.fail(documentNotFound),
        onSome: (document) =>
          Effect.catchIf(
            use(document.applicationId),
            (e): e is NotFound => e instanceof NotFound && e.entity === "application",
            () => Effect.fail(documentNotFound)
          )
      }))
    }

    const getById = (actor: Actor.Actor, documentId: DocumentId) =>
      byDocumentId(documentId, (applicationId) => get(actor, applicationId, documentId))

    const downloadById = (actor: Actor.Actor, documentId: DocumentId) =>
      byDocumentId(documentId, (applicationId) => download(actor, applicationId, documentId))

    return { upload, list, get, download, getById, downloadById } as const
  })
}) {}
