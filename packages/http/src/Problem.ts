/**
 * RFC 7807 problem details, the one shape every error response takes
 * (ARCHITECTURE.md, Contracts).
 *
 * `problem(ErrorSchema, spec)` turns an error schema (usually a domain
 * `Schema.TaggedError`) into the schema an endpoint declares with `addError`:
 * its encoded side is the problem document, so OpenAPI documents what is on
 * the wire, and the status comes from `HttpApiSchema` annotations, so the
 * handlers fail with domain errors and never pick a status by hand. The
 * spec rides on the schema as an annotation; `ProblemRenderer` reads it back
 * from the contract when it turns a failure into a response.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

export const CONTENT_TYPE = "application/problem+json"

export const FieldProblem = Schema.Struct({
  /** Dotted path of the offending field (`propertyAddress.zip`), or a parameter name. */
  field: Schema.String,
  /** What is wrong, in words that never quote the submitted value. */
  message: Schema.String
}).annotations({ identifier: "FieldProblem" })
export type FieldProblem = typeof FieldProblem.Type

export const ProblemDocument = Schema.Struct({
  type: Schema.String.annotations({ description: "A relative URI, /problems/<slug>, naming the kind of problem" }),
  title: Schema.String.annotations({ description: "A short summary that is the same for every occurrence" }),
  status: Schema.Int,
  detail: Schema.String.annotations({ description: "What went wrong this time; never a submitted value" }),
  instance: Schema.String.annotations({ description: "The path of the request that failed" }),
  requestId: Schema.String.annotations({ description: "The X-Request-ID of the request, for support" }),
  errors: Schema.Array(FieldProblem).annotations({ description: "Field problems; empty when there are none" })
}).annotations({ identifier: "Problem", description: "RFC 7807 problem details" })
export type ProblemDocument = typeof ProblemDocument.Type

/** How one kind of error is presented. `detail` and `errors` must never echo PII or secrets. */
export interface ProblemSpec<E> {
  readonly status: number
  /** The last segment of `type`: `/problems/<slug>`. */
  readonly slug: string
  readonly title: string
  readonly detail: (error: E) => string
  readonly errors?: ((error: E) => ReadonlyArray<FieldProblem>) | undefined
  readonly headers?: ((error: E) => Readonly<Record<string, string>>) | undefined
}

/** The fields of a document that depend on the request, not on the error. */
export interface Occurrence {
  readonly instance: string
  readonly requestId: string
}

export const ProblemSpecId: unique symbol = Symbol.for("@loan-ledger/http/Problem/ProblemSpec")

export interface RegisteredProblem {
  readonly tag: string
  readonly spec: ProblemSpec<never>
}

export const document = <E>(spec: ProblemSpec<E>, error: E, occurrence: Occurrence): ProblemDocument => ({
  type: `/problems/${spec.slug}`,
  title: spec.title,
  status: spec.status,
  detail: spec.detail(error),
  instance: occurrence.instance,
  requestId: occurrence.requestId,
  errors: spec.errors === undefined ? [] : spec.errors(error)
})

export const response = <E>(spec: ProblemSpec<E>, error: E, occurrence: Occurrence): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(document(spec, error, occurrence), {
    status: spec.status,
    contentType: CONTENT_TYPE,
    headers: spec.headers === undefined ? undefined : spec.headers(error)
  })

/** A tagged error class: the renderer finds specs by `_tag`. */
export interface TaggedErrorSchema<A extends { readonly _tag: string }, I> extends Schema.Schema<A, I, never> {
  readonly _tag: A["_tag"]
}

/**
 * The contract schema of an error: decodes nothing (responses are only
 * encoded here), encodes the error into its problem document.
 */
export const problem = <A extends { readonly _tag: string }, I>(
  error: TaggedErrorSchema<A, I>,
  spec: ProblemSpec<A>
): Schema.Schema<A, typeof ProblemDocument.Encoded> => {
  const registered: RegisteredProblem = { tag: error._tag, spec: spec as ProblemSpec<never> }
  return Schema.transformOrFail(ProblemDocument, Schema.typeSchema(error), {
    strict: true,
    decode: (doc, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, doc, "problem documents are encode-only")),
    encode: (e) => ParseResult.succeed(document(spec, e, { instance: "", requestId: "" }))
  }).annotations({
    ...HttpApiSchema.annotations({ status: spec.status }),
    // Its own name in OpenAPI: the error class's name may be taken by another schema.
    identifier: `${error._tag}Problem`,
    description: spec.title,
    [ProblemSpecId]: registered,
    [HttpApiSchema.AnnotationEncoding]: { kind: "Json", contentType: CONTENT_TYPE }
  })
}

export const getRegistered = (ast: AST.AST): RegisteredProblem | undefined =>
  ast.annotations[ProblemSpecId] as RegisteredProblem | undefined
