/**
 * Turns Schema parse failures into a ValidationError whose messages name the
 * field and never quote the value: the default formatters print the actual
 * input ("Expected ..., actual "123-45-6789""), which would leak PII into
 * responses and logs.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { type FieldIssue, ValidationError } from "./Errors.js"

/**
 * The message annotation that applies to `issue`, following Effect's own
 * rule: a composite, a refinement failing in its base, or a transformation
 * failing on either side defers to the inner issue (unless overriding).
 */
const annotatedMessage = (issue: ParseResult.ParseIssue): string | undefined => {
  if (!("ast" in issue)) return undefined
  const annotation = AST.getMessageAnnotation(issue.ast)
  if (Option.isNone(annotation)) return undefined
  const out = annotation.value(issue)
  const override = typeof out === "object" && "override" in out ? out.override : false
  const deferToInner = !override && (
    issue._tag === "Composite" ||
    (issue._tag === "Refinement" && issue.kind === "From") ||
    (issue._tag === "Transformation" && issue.kind !== "Transformation")
  )
  if (deferToInner) return undefined
  const value = typeof out === "object" && "override" in out ? out.message : out
  return typeof value === "string" ? value : undefined
}

/**
 * What a value of `ast` looks like, in words a client understands. Never
 * `String(ast)`: that prints the schema's internals (refinement names,
 * transformations), which are ours, not the API's.
 */
const expected = (ast: AST.AST): string => {
  const described = AST.getDescriptionAnnotation(ast)
  if (Option.isSome(described)) return described.value
  switch (ast._tag) {
    case "TypeLiteral":
      return "an object"
    case "TupleType":
      return "an array"
    case "StringKeyword":
    case "TemplateLiteral":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "Literal":
      return ast.literal === null ? "null" : JSON.stringify(String(ast.literal))
    case "UndefinedKeyword":
    case "VoidKeyword":
      return "undefined"
    case "Union": {
      const members = [...new Set(ast.types.map(expected).filter((m) => m !== "undefined"))]
      return members.length === 0 ? "undefined" : members.join(" or ")
    }
    case "Refinement":
      return expected(ast.from)
    case "Transformation":
      return expected(ast.from)
    case "Suspend":
      return expected(ast.f())
    default:
      return "a valid value"
  }
}

const toArray = <A>(a: ParseResult.SingleOrNonEmpty<A>): ReadonlyArray<A> =>
  Array.isArray(a) ? (a as ReadonlyArray<A>) : [a as A]

const walk = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>): Array<FieldIssue> => {
  const field = path.map(String).join(".")
  const own = annotatedMessage(issue)
  if (own !== undefined) return [{ field, message: own }]
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...toArray(issue.path)])
    case "Composite": {
      const all = toArray(issue.issues).flatMap((i) => walk(i, path))
      // An optional field that fails is a union with `undefined`: saying it
      // "must be undefined" as well helps nobody.
      const useful = all.filter((i) => i.message !== "must be undefined")
      return useful.length > 0 ? useful : all
    }
    case "Refinement":
    case "Transformation":
      return walk(issue.issue, path)
    case "Missing":
      return [{ field, message: issue.message ?? "is required" }]
    case "Unexpected":
      return [{ field, message: "is not an allowed field" }]
    case "Type":
      return [{ field, message: issue.message ?? `must be ${expected(issue.ast)}` }]
    case "Forbidden":
      return [{ field, message: issue.message ?? "cannot be checked" }]
  }
}

export const fromParseIssue = (issue: ParseResult.ParseIssue, prefix?: string): ValidationError => {
  const issues = walk(issue, prefix === undefined ? [] : [prefix])
  const [first, ...rest] = issues.length > 0 ? issues : [{ field: prefix ?? "", message: "is invalid" }]
  return new ValidationError({ issues: [first!, ...rest] })
}

export const fromParseError = (error: ParseResult.ParseError, prefix?: string): ValidationError =>
  fromParseIssue(error.issue, prefix)

// Unknown fields are rejected rather than silently dropped (ARCHITECTURE, Contracts).
const strict = { errors: "all", onExcessProperty: "error" } as const

/** Decodes untrusted input into `A`, or a ValidationError safe to show. */
export const decodeUnknown =
  <A, I>(schema: Schema.Schema<A, I, never>, prefix?: string) =>
  (input: unknown): Effect.Effect<A, ValidationError> =>
    Schema.decodeUnknown(schema, strict)(input).pipe(
      Effect.mapError((e) => fromParseError(e, prefix))
    )

export const decodeUnknownEither =
  <A, I>(schema: Schema.Schema<A, I, never>, prefix?: string) =>
  (input: unknown): Either.Either<A, ValidationError> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, strict)(input), (e) => fromParseError(e, prefix))
