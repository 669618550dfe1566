/**
 * Turns whatever a request failed with into a problem+json response.
 *
 * HttpApi's own error handling does not fit the contract: it answers every
 * decode failure with one 400 shape whose messages quote the input, it turns
 * an unreadable body into a defect (an empty 500), and an error that is not
 * in the contract becomes an empty 500 too. So this renderer runs as the
 * outermost API middleware, where every failure of a route (and the router's
 * own "no route") passes before HttpApi would encode it, and it answers all
 * of them: known errors with the spec their contract schema carries, the
 * parameter decode error with a value-free field list, and anything else as
 * a generic 500 that names only the request id (the cause goes to the log).
 */
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Problem from "./Problem.js"
import { InternalError, MalformedBody } from "./Problems.js"
import { CurrentRequestId } from "./RequestId.js"

export type Registry = ReadonlyMap<string, Problem.ProblemSpec<never>>

const members = (ast: AST.AST): ReadonlyArray<AST.AST> => (AST.isUnion(ast) ? ast.types.flatMap(members) : [ast])

/** The parts of an HttpApi that declare errors. */
export interface DeclaredErrors {
  readonly errorSchema: Schema.Schema.All
  readonly groups: Readonly<Record<string, {
    readonly errorSchema: Schema.Schema.All
    readonly endpoints: Readonly<Record<string, { readonly errorSchema: Schema.Schema.All; readonly path: string }>>
  }>>
}

/** Every problem spec the contract declares, by error tag. */
export const registryOf = (api: DeclaredErrors): Registry => {
  const registry = new Map<string, Problem.ProblemSpec<never>>()
  const add = (schema: Schema.Schema.All) => {
    for (const ast of members(schema.ast)) {
      const registered = Problem.getRegistered(ast)
      if (registered === undefined) continue
      const known = registry.get(registered.tag)
      // One tag, one presentation: two different specs would make the
      // status of an error depend on which endpoint raised it.
      if (known !== undefined && known !== registered.spec) {
        throw new Error(`the contract presents the error ${registered.tag} in two ways`)
      }
      registry.set(registered.tag, registered.spec)
    }
  }
  add(api.errorSchema)
  for (const group of Object.values(api.groups)) {
    add(group.errorSchema)
    for (const endpoint of Object.values(group.endpoints)) add(endpoint.errorSchema)
  }
  return registry
}

const tagOf = (error: unknown): string | undefined =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : undefined

/** The path of a request URL, without its query (which is not the resource). */
export const pathOf = (url: string): string => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/** The fixed words of the contract's paths (`v1`, `applications`, ...). */
export const pathWordsOf = (api: DeclaredErrors): ReadonlySet<string> => {
  const words = new Set<string>()
  for (const group of Object.values(api.groups)) {
    for (const endpoint of Object.values(group.endpoints)) {
      for (const segment of endpoint.path.split("/")) {
        if (segment !== "" && !segment.startsWith(":")) words.add(segment)
      }
    }
  }
  return words
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/**
 * The request path as `instance`, with every segment that is neither a
 * word of the contract nor a UUID masked: a path segment is something the
 * client sent, and could be anything (an SSN typed where an id belongs).
 */
export const safeInstance = (url: string, words: ReadonlySet<string>): string =>
  pathOf(url)
    .split("/")
    .map((segment) => (segment === "" || words.has(segment) || UUID.test(segment) ? segment : "*"))
    .join("/")

/** A failure of body parsing that HttpApi turned into a defect (`orDie`). */
const isUnreadableBody = (defect: unknown): boolean =>
  HttpServerError.isServerError(defect) && defect._tag === "RequestError" && defect.reason === "Decode"

export const make = (api: DeclaredErrors) => {
  const registry = registryOf(api)
  const words = pathWordsOf(api)
  const spec = (tag: string) => registry.get(tag) as Problem.ProblemSpec<unknown> | undefined

  const occurrence = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const requestId = yield* CurrentRequestId
    return { instance: safeInstance(request.url, words), requestId }
  })

  const internal = (cause: Cause.Cause<unknown>) =>
    Effect.flatMap(occurrence, (at) =>
      Effect.as(
        Effect.logError("request failed unexpectedly", cause),
        Problem.response(spec(InternalError._tag) ?? internalSpec, new InternalError(), at)
      )
    )

  const known = (error: unknown): Option.Option<Problem.ProblemSpec<unknown>> => {
    const tag = tagOf(error)
    return tag === undefined ? Option.none() : Option.fromNullable(spec(tag))
  }

  return (cause: Cause.Cause<unknown>): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> => {
    // The client went away: there is nobody to answer, let the server account for it.
    if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      // HttpApi's parameter decode error and the router's RouteNotFound are
      // found by tag like the domain's errors (see Problems.ts).
      const error = failure.value
      const found = known(error)
      if (Option.isSome(found)) return Effect.map(occurrence, (at) => Problem.response(found.value, error, at))
      return internal(cause)
    }
    const defect = Cause.dieOption(cause)
    if (Option.isSome(defect) && isUnreadableBody(defect.value)) {
      const malformed = spec(MalformedBody._tag)
      if (malformed !== undefined) return Effect.map(occurrence, (at) => Problem.response(malformed, new MalformedBody({ expected: "JSON" }), at))
    }
    return internal(cause)
  }
}

// The 500 answer must not depend on the contract being complete.
const internalSpec: Problem.ProblemSpec<unknown> = {
  status: 500,
  slug: "internal-error",
  title: "Internal error",
  detail: () => "An unexpected error occurred. Quote the request id when you report it."
}
