/**
 * An audit event: the `audit_events` row of ARCHITECTURE.md (Contracts).
 * Events carry ids, roles, states and reasons, never PII values: the audit
 * trail can never be erased, so anything personal written here would stay
 * forever. `input_data_hash` is an HMAC (see Hmac.ts), never a plain hash of
 * PII-bearing input.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Status } from "./ApplicationStatus.js"
import { Metadata } from "./CanonicalJson.js"
import * as CanonicalJson from "./CanonicalJson.js"
import { ConfidenceScore } from "./ConfidenceScore.js"
import * as Confidence from "./ConfidenceScore.js"
import { ValidationError } from "./Errors.js"
import { ApplicationId, AuditEventId } from "./Ids.js"
import { Role } from "./Role.js"
import { Timestamp, TimestampFromText } from "./Timestamp.js"
import * as Validation from "./Validation.js"

export const EventType = Schema.Literal(
  "state_transition",
  "agent_decision",
  "routing_decision",
  "human_review",
  "document_upload",
  "document_access",
  "auth_event",
  "key_management",
  "threshold_change",
  "maintenance"
)
export type EventType = typeof EventType.Type

/**
 * Who acted: an API key (`actor_id` = key id), an operator at the CLI, the
 * system itself, a future agent, or an anonymous caller whose credential
 * failed (`auth_event` on the system chain).
 */
export const ActorType = Schema.Literal("api_key", "operator", "system", "agent", "anonymous")
export type ActorType = typeof ActorType.Type

/** Lower-case hex SHA-256 / HMAC-SHA256. */
export const Hash = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "must be 64 lower-case hexadecimal digits" })
)

const text = (max: number) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(max, { message: () => `must be at most ${max} characters` }),
    Schema.filter((s) => CanonicalJson.isStorableText(s) || "contains a NUL character or an unpaired surrogate")
  )

/** What a writer supplies; the database adds `id`, `created_at` and the chain adds `prev_event_hash`. */
export class AuditEventInput extends Schema.Class<AuditEventInput>("AuditEventInput")({
  applicationId: Schema.NullOr(ApplicationId),
  eventType: EventType,
  actorId: text(200),
  actorType: ActorType,
  actorRole: Schema.NullOr(Role),
  agentName: Schema.NullOr(text(200)),
  confidenceScore: Schema.NullOr(ConfidenceScore),
  reasoning: Schema.NullOr(text(10_000)),
  inputDataHash: Schema.NullOr(Hash),
  previousState: Schema.NullOr(Status),
  newState: Schema.NullOr(Status),
  metadata: Metadata
}) {}

/** A stored event, as it reads back from `audit_events`. */
export class AuditEvent extends AuditEventInput.extend<AuditEvent>("AuditEvent")({
  id: AuditEventId,
  prevEventHash: Hash,
  createdAt: Timestamp
}) {}

/** Optional fields default to null and metadata to `{}`. */
export const makeInput = (fields: {
  readonly applicationId: ApplicationId | null
  readonly eventType: EventType
  readonly actorId: string
  readonly actorType: ActorType
  readonly actorRole?: Role | null
  readonly agentName?: string | null
  readonly confidenceScore?: ConfidenceScore | null
  readonly reasoning?: string | null
  readonly inputDataHash?: string | null
  readonly previousState?: Status | null
  readonly newState?: Status | null
  readonly metadata?: CanonicalJson.JsonObject
}): AuditEventInput =>
  AuditEventInput.make({
    applicationId: fields.applicationId,
    eventType: fields.eventType,
    actorId: fields.actorId,
    actorType: fields.actorType,
    actorRole: fields.actorRole ?? null,
    agentName: fields.agentName ?? null,
    confidenceScore: fields.confidenceScore ?? null,
    reasoning: fields.reasoning ?? null,
    inputDataHash: fields.inputDataHash ?? null,
    previousState: fields.previousState ?? null,
    newState: fields.newState ?? null,
    metadata: fields.metadata ?? {}
  })

/**
 * The row as PostgreSQL hands it back to an adapter: snake_case, `id` as
 * text (or a bigint), `created_at` read as text (never through a JS Date,
 * which would drop the microseconds), `confidence_score` as NUMERIC text at
 * any scale, `metadata` as parsed jsonb (or its text).
 */
export const AuditEventRow = Schema.Struct({
  id: Schema.Union(Schema.String, Schema.BigIntFromSelf),
  application_id: Schema.NullOr(Schema.String),
  event_type: Schema.String,
  actor_id: Schema.String,
  actor_type: Schema.String,
  actor_role: Schema.NullOr(Schema.String),
  agent_name: Schema.NullOr(Schema.String),
  confidence_score: Schema.NullOr(Schema.Union(Schema.String, Schema.Number)),
  reasoning: Schema.NullOr(Schema.String),
  input_data_hash: Schema.NullOr(Schema.String),
  previous_state: Schema.NullOr(Schema.String),
  new_state: Schema.NullOr(Schema.String),
  metadata: Schema.Unknown,
  prev_event_hash: Schema.String,
  created_at: Schema.String
})
export type AuditEventRow = typeof AuditEventRow.Type

const RowFields = Schema.Struct({
  id: AuditEventId,
  applicationId: Schema.NullOr(ApplicationId),
  eventType: EventType,
  actorId: text(200),
  actorType: ActorType,
  actorRole: Schema.NullOr(Role),
  agentName: Schema.NullOr(text(200)),
  confidenceScore: Schema.NullOr(Confidence.ConfidenceScoreFromInput),
  reasoning: Schema.NullOr(text(10_000)),
  inputDataHash: Schema.NullOr(Hash),
  previousState: Schema.NullOr(Status),
  newState: Schema.NullOr(Status),
  metadata: Metadata,
  prevEventHash: Hash,
  createdAt: TimestampFromText
})

/**
 * Decodes a stored row into an event in canonical form. A field that cannot
 * be decoded is reported by its column name; the value is never quoted.
 */
export const fromRow = (row: AuditEventRow): Either.Either<AuditEvent, ValidationError> => {
  let metadata: unknown = row.metadata
  if (typeof metadata === "string") {
    const parsed = CanonicalJson.parse(metadata)
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    metadata = parsed.right
  }
  const camel = {
    id: typeof row.id === "bigint" ? row.id.toString() : row.id,
    applicationId: row.application_id,
    eventType: row.event_type,
    actorId: row.actor_id,
    actorType: row.actor_type,
    actorRole: row.actor_role,
    agentName: row.agent_name,
    confidenceScore: row.confidence_score,
    reasoning: row.reasoning,
    inputDataHash: row.input_data_hash,
    previousState: row.previous_state,
    newState: row.new_state,
    metadata,
    prevEventHash: row.prev_event_hash,
    createdAt: row.created_at
  }
  return Either.map(
    Either.mapLeft(Validation.decodeUnknownEither(RowFields)(camel), (e) => {
      const [first, ...rest] = e.issues.map((i) => ({ ...i, field: columnOf(i.field) }))
      return new ValidationError({ issues: [first!, ...rest] })
    }),
    (fields) => new AuditEvent(fields, { disableValidation: true })
  )
}

const columnOf = (field: string): string => {
  const [head, ...rest] = field.split(".")
  const column = (head ?? "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return [column, ...rest].join(".")
}

/**
 * The values an adapter inserts (snake_case; `metadata` as canonical JSON
 * text for a `$n::jsonb` parameter). `id` and `created_at` are absent: the
 * database assigns them.
 */
export const toInsertRow = (input: AuditEventInput, prevEventHash: string) => ({
  application_id: input.applicationId,
  event_type: input.eventType,
  actor_id: input.actorId,
  actor_type: input.actorType,
  actor_role: input.actorRole,
  agent_name: input.agentName,
  confidence_score: input.confidenceScore,
  reasoning: input.reasoning,
  input_data_hash: input.inputDataHash,
  previous_state: input.previousState,
  new_state: input.newState,
  metadata: CanonicalJson.encode(input.metadata),
  prev_event_hash: prevEventHash
})

/** The stored row form of an event (what `fromRow` reads back). */
export const toRow = (event: AuditEvent): AuditEventRow => ({
  id: event.id,
  ...toInsertRow(event, event.prevEventHash),
  metadata: event.metadata,
  created_at: event.createdAt
})
