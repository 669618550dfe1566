/**
 * Use cases of API keys: create, list, revoke (reviewers and operators) and
 * authenticate (everyone). Key management and failed authentications are
 * recorded on the system chain.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Actor from "./Actor.js"
import * as ApiKey from "./ApiKey.js"
import { ApiKeyRecord, type CreateApiKeyRequest } from "./ApiKeyRecord.js"
import { ApiKeyRepository } from "./ApiKeyRepository.js"
import * as AuditEvent from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import * as ChainKey from "./ChainKey.js"
import { Conflict, NotFound, Unauthenticated, type UnauthenticatedReason } from "./Errors.js"
import { Hmac } from "./Hmac.js"
import { type ApiKeyId, newApiKeyId } from "./Ids.js"
import type { PageRequest } from "./Pagination.js"
import * as Policy from "./Policy.js"
import * as Timestamp from "./Timestamp.js"
import { UnitOfWork } from "./UnitOfWork.js"

export interface CreatedKey {
  readonly record: ApiKeyRecord
  /** The plaintext, shown once and never stored. */
  readonly key: Redacted.Redacted<string>
}

export interface CreateOptions {
  /** Development seed keys (the production start refuses active ones). */
  readonly isSeed?: boolean
  /** Overrides `expiresInDays` (seed keys live 24 hours). */
  readonly expiresAt?: Timestamp.Timestamp
}

const DAY_SECONDS = 86_400

export class ApiKeys extends Effect.Service<ApiKeys>()("@loan-ledger/domain/ApiKeys", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeyRepository
    const audit = yield* AuditLog
    const uow = yield* UnitOfWork
    const hmac = yield* Hmac
    const withHmac = Effect.provideService(Hmac, hmac)

    const keyEvent = (actor: Actor.Actor, metadata: AuditEvent.AuditEventInput["metadata"]) =>
      AuditEvent.makeInput({ applicationId: null, eventType: "key_management", ...Actor.auditFields(actor), metadata })

    const create = (actor: Actor.Actor, request: CreateApiKeyRequest, options: CreateOptions = {}) =>
      Effect.gen(function*() {
        const grant = yield* Policy.granted("key:manage")
        const key = ApiKey.generate(request.role)
        const now = yield* Timestamp.now
        const record = ApiKeyRecord.make({
          id: newApiKeyId(),
          keyHash: yield* withHmac(ApiKey.hash(key)),
          role: request.role,
          description: request.description ?? null,
          expiresAt: options.expiresAt ?? Timestamp.addSeconds(now, request.expiresInDays * DAY_SECONDS),
          isActive: true,
          isSeed: options.isSeed ?? false,
          createdAt: now
        })
        yield* uow.transaction(
          [ChainKey.system],
          Effect.zipRight(
            keys.insert(record),
            audit.append(keyEvent(grant.actor, {
              action: "created",
              key_id: record.id,
              role: record.role,
              is_seed: record.isSeed,
              expires_at: record.expiresAt
            }))
          )
        )
        return { record, key } satisfies CreatedKey
      }).pipe(Policy.authorize(actor, "key:manage"))

    const list = (actor: Actor.Actor, page: PageRequest) =>
      Effect.flatMap(Policy.granted("key:manage"), () => keys.list(page)).pipe(Policy.authorize(actor, "key:manage"))

    /** Idempotent: revoking an inactive key changes nothing and records nothing. */
    const revoke = (actor: Actor.Actor, id: ApiKeyId) =>
      Effect.gen(function*() {
        const grant = yield* Policy.granted("key:manage")
        if (Option.contains(Actor.keyIdOf(grant.actor), id)) {
          return yield* new Conflict({ reason: "a key cannot revoke itself" })
        }
        return yield* uow.transaction(
          [ChainKey.system],
          Effect.gen(function*() {
            const found = yield* keys.findByIdForUpdate(id)
            if (Option.isNone(found)) return yield* new NotFound({ entity: "api_key", id })
            if (!found.value.isActive) return found.value
            yield* keys.deactivate(id)
            yield* audit.append(keyEvent(grant.actor, { action: "revoked", key_id: id }))
            return ApiKeyRecord.make({ ...found.value, isActive: false })
          })
        )
      }).pipe(Policy.authorize(actor, "key:manage"))

    /** A failure with a presented credential is recorded; a missing header is not (health checks, browsers). */
    const failure = (reason: UnauthenticatedReason, keyId: Option.Option<ApiKeyId>) =>
      Effect.zipRight(
        reason === "missing"
          ? Effect.void
          : uow.transaction(
            [ChainKey.system],
            audit.append(AuditEvent.makeInput({
              applicationId: null,
              eventType: "auth_event",
              ...Option.match(keyId, {
                onNone: () => ({ actorId: "anonymous", actorType: "anonymous" as const }),
                onSome: (id) => ({ actorId: id, actorType: "api_key" as const })
              }),
              metadata: { outcome: "failure", reason }
            }))
          ),
        Effect.fail(new Unauthenticated({ reason }))
      )

    /**
     * The actor behind an Authorization header. The role is the stored one;
     * a `<role>:` hint or the key's prefix never changes it.
     */
    const authenticate = (authorization: string | null | undefined) =>
      Effect.gen(function*() {
        const parsed = ApiKey.parseAuthorization(authorization)
        if (Either.isLeft(parsed)) return yield* failure(parsed.left.reason, Option.none())
        const keyHash = yield* withHmac(ApiKey.hash(parsed.right.key))
        const found = yield* keys.findByHash(keyHash)
        if (Option.isNone(found) || !ApiKey.hashesEqual(found.value.keyHash, keyHash)) {
          return yield* failure("unknown_key", Option.none())
        }
        const record = found.value
        if (!record.isActive) return yield* failure("inactive", Option.some(record.id))
        const now = yield* Timestamp.now
        if (record.expiresAt !== null && now >= record.expiresAt) return yield* failure("expired", Option.some(record.id))
        return Actor.apiKey(record.id, record.role)
      })

    return { create, list, revoke, authenticate } as const
  })
}) {}
