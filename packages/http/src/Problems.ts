/**
 * Every error the API can answer with, as contract schemas (see Problem.ts):
 * the domain's errors with their HTTP status, and the few failures that only
 * exist at the HTTP boundary (a body that is not JSON, a body too large, a
 * content type the endpoint does not take, an unknown path, a defect).
 *
 * Details are written here, not taken from the errors' messages, so that a
 * message written later for a log can never leak into a response. In
 * particular a 403 never names the role that would have been needed, and
 * every 401 reads the same whatever the reason was.
 */
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  ChainBusy,
  DocumentTooLarge,
  Conflict,
  DamagedFile,
  DocumentLimitReached,
  Forbidden,
  InvalidTransition,
  NoDocuments,
  NotFound,
  Unauthenticated,
  UnsupportedMediaType,
  ValidationError
} from "@loan-ledger/domain/Errors"
import { tidy } from "./FieldProblems.js"
import { fieldProblems } from "./ParameterIssues.js"
import { FieldProblem, problem } from "./Problem.js"

// ---------------------------------------------------------------------------
// Failures that exist only at the HTTP boundary
// ---------------------------------------------------------------------------

/** The body cannot be parsed at all (not JSON, not UTF-8, broken multipart): nothing could be validated. */
export class MalformedBody extends Schema.TaggedError<MalformedBody>()("MalformedBody", {
  expected: Schema.Literal("JSON", "multipart/form-data")
}) {}

/** The body (or the uploaded file) is larger than the endpoint accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  limitBytes: Schema.Int
}) {}

/** The request's Content-Type is not the one the endpoint takes. */
export class UnsupportedContentType extends Schema.TaggedError<UnsupportedContentType>()("UnsupportedContentType", {
  expected: Schema.String
}) {}

/** A multipart body without the expected file field, or with an unusable one. */
export class MissingFilePart extends Schema.TaggedError<MissingFilePart>()("MissingFilePart", {
  field: Schema.String
}) {}

/**
 * A query parameter that decoded but that the use case could not read (a
 * cursor the adapter did not make). Still a bad parameter: 400, like the
 * ones HttpApi rejects itself.
 */
export class InvalidQuery extends Schema.TaggedError<InvalidQuery>()("InvalidQuery", {
  issues: Schema.Array(FieldProblem)
}) {}

/** A use case's ValidationError about query parameters (an unreadable cursor) is a 400, not a 422. */
export const asInvalidQuery = <A, E, R>(
  effect: Effect.Effect<A, E | ValidationError, R>
): Effect.Effect<A, Exclude<E, ValidationError> | InvalidQuery, R> =>
  Effect.catchIf(
    effect,
    (e): e is ValidationError => e instanceof ValidationError,
    (e) => Effect.fail(new InvalidQuery({ issues: e.issues }))
  ) as Effect.Effect<A, Exclude<E, ValidationError> | InvalidQuery, R>

/** No route matches the request's method and path. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {}) {}

/** A defect: a bug or a broken invariant, reported with the request id only. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {}) {}

// ---------------------------------------------------------------------------
// Contract schemas
// ---------------------------------------------------------------------------

export const MalformedBodyProblem = problem(MalformedBody, {
  status: 400,
  slug: "malformed-body",
  title: "Malformed request body",
  detail: (e) => `The request body is not valid ${e.expected}.`
})

/** A path or query parameter HttpApi could not decode (a non-UUID id, a limit above its maximum). */
export const InvalidParametersProblem = problem(HttpApiDecodeError, {
  status: 400,
  slug: "invalid-parameters",
  title: "Invalid parameters",
  detail: () => "One or more path or query parameters are not valid.",
  errors: fieldProblems
}).annotations({ identifier: "InvalidParametersProblem" })

export const InvalidQueryProblem = problem(InvalidQuery, {
  status: 400,
  slug: "invalid-parameters",
  title: "Invalid parameters",
  detail: () => "One or more path or query parameters are not valid.",
  errors: (e) => tidy(e.issues)
})

export const ValidationProblem = problem(ValidationError, {
  status: 422,
  slug: "validation-failed",
  title: "Validation failed",
  detail: (e) => {
    const fields = new Set(e.issues.map((i) => i.field)).size
    return fields === 1 ? "One field is not valid." : `${fields} fields are not valid.`
  },
  errors: (e) => tidy(e.issues)
})

export const PayloadTooLargeProblem = problem(PayloadTooLarge, {
  status: 413,
  slug: "payload-too-large",
  title: "Payload too large",
  detail: (e) => `The request body must not exceed ${e.limitBytes} bytes.`
})

export const DocumentTooLargeProblem = problem(DocumentTooLarge, {
  status: 413,
  slug: "payload-too-large",
  title: "Payload too large",
  detail: (e) => `A document must not exceed ${e.maxBytes} bytes.`
})

export const UnsupportedContentTypeProblem = problem(UnsupportedContentType, {
  status: 415,
  slug: "unsupported-content-type",
  title: "Unsupported content type",
  detail: (e) => `This endpoint accepts ${e.expected}.`
})

export const MissingFilePartProblem = problem(MissingFilePart, {
  status: 422,
  slug: "validation-failed",
  title: "Validation failed",
  detail: () => "One field is not valid.",
  errors: (e) => [{ field: e.field, message: "must be a file part of the multipart body" }]
})

export const UnauthenticatedProblem = problem(Unauthenticated, {
  status: 401,
  slug: "unauthenticated",
  title: "Authentication required",
  // One text for every reason: telling a caller why a key failed (unknown,
  // revoked, expired) would help somebody probing stolen keys.
  detail: () => "Send a valid API key as `Authorization: Bearer <key>`.",
  headers: () => ({ "www-authenticate": `Bearer realm="loan-ledger"` })
})

export const ForbiddenProblem = problem(Forbidden, {
  status: 403,
  slug: "forbidden",
  title: "Forbidden",
  detail: () => "Your API key does not permit this action."
})

const entityName = (entity: NotFound["entity"]): string =>
  entity === "api_key" ? "API key" : entity === "application" ? "Application" : "Document"

export const NotFoundProblem = problem(NotFound, {
  status: 404,
  slug: "not-found",
  title: "Not found",
  detail: (e) => `${entityName(e.entity)} ${e.id} was not found.`
})

export const RouteNotFoundProblem = problem(RouteNotFound, {
  status: 404,
  slug: "not-found",
  title: "Not found",
  detail: () => "There is no resource at this path for this method."
})

export const InvalidTransitionProblem = problem(InvalidTransition, {
  status: 409,
  slug: "invalid-transition",
  title: "Invalid status transition",
  detail: (e) => `An application cannot move from ${e.from} to ${e.to}.`
})

export const ConflictProblem = problem(Conflict, {
  status: 409,
  slug: "conflict",
  title: "Conflict",
  detail: (e) => e.reason
})

export const DocumentLimitProblem = problem(DocumentLimitReached, {
  status: 409,
  slug: "document-limit-reached",
  title: "Document limit reached",
  detail: (e) => `An application holds at most ${e.limit} documents.`
})

export const NoDocumentsProblem = problem(NoDocuments, {
  status: 422,
  slug: "no-documents",
  title: "No documents",
  detail: () => "An application needs at least one document before it can be submitted."
})

export const UnsupportedFileTypeProblem = problem(UnsupportedMediaType, {
  status: 415,
  slug: "unsupported-file-type",
  title: "Unsupported file type",
  detail: () => "Only PDF, JPEG, PNG and TIFF files are accepted; the type is decided by the file's content."
})

export const DamagedFileProblem = problem(DamagedFile, {
  status: 422,
  slug: "damaged-file",
  title: "Damaged or disguised file",
  detail: (e) => `The file cannot be accepted: ${e.reason}.`
})

/** Seconds a client should wait before retrying an operation whose chain lock timed out. */
export const CHAIN_BUSY_RETRY_AFTER_SECONDS = 1

export const ChainBusyProblem = problem(ChainBusy, {
  status: 503,
  slug: "busy",
  title: "Temporarily busy",
  detail: () => "Another operation on this application is in progress; nothing was changed. Retry shortly.",
  headers: () => ({ "retry-after": String(CHAIN_BUSY_RETRY_AFTER_SECONDS) })
})

export const InternalErrorProblem = problem(InternalError, {
  status: 500,
  slug: "internal-error",
  title: "Internal error",
  detail: () => "An unexpected error occurred. Quote the request id when you report it."
})
