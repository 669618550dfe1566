/**
 * Who is acting. Use cases take an authenticated actor: an API key (its id
 * and the role stored with it in the database, never the role a caller
 * claims) or an operator at the CLI, who holds database credentials and acts
 * with reviewer rights. Every audit event names its actor.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { ActorType } from "./AuditEvent.js"
import { ApiKeyId } from "./Ids.js"
import { Role } from "./Role.js"

export const ApiKeyActor = Schema.TaggedStruct("ApiKey", { keyId: ApiKeyId, role: Role })
export type ApiKeyActor = typeof ApiKeyActor.Type

export const OperatorActor = Schema.TaggedStruct("Operator", {
  /** Who ran the command, e.g. the OS user; an identifier, not a person's data. */
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))
})
export type OperatorActor = typeof OperatorActor.Type

export const Actor = Schema.Union(ApiKeyActor, OperatorActor)
export type Actor = typeof Actor.Type

export const apiKey = (keyId: ApiKeyId, role: Role): Actor => ApiKeyActor.make({ keyId, role })
export const operator = (name: string): Actor => OperatorActor.make({ name })

/** The role the policy applies: operators act with reviewer rights. */
export const roleOf = (actor: Actor): Role => (actor._tag === "ApiKey" ? actor.role : "reviewer")

/** The key that owns what this actor creates (operators own nothing). */
export const keyIdOf = (actor: Actor): Option.Option<ApiKeyId> =>
  actor._tag === "ApiKey" ? Option.some(actor.keyId) : Option.none()

/** The actor columns of an audit event. */
export const auditFields = (actor: Actor): {
  readonly actorId: string
  readonly actorType: ActorType
  readonly actorRole: Role | null
} =>
  actor._tag === "ApiKey"
    ? { actorId: actor.keyId, actorType: "api_key", actorRole: actor.role }
    : { actorId: actor.name, actorType: "operator", actorRole: null }
