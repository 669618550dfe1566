/**
 * The JSON values allowed in audit metadata, and their one canonical text.
 *
 * jsonb forgets key order, keeps the last of duplicate keys and rewrites
 * numbers (`1.0`, `1e0`); `pg` then parses it back with JSON.parse. Only
 * values that survive that round trip unchanged are accepted: strings,
 * booleans, null, safe integers and arrays/objects of those. Floats would
 * come back with another spelling (or another value), so they are refused,
 * not rounded. Strings may not contain U+0000 (jsonb and text refuse it) or
 * unpaired surrogates (not representable in UTF-8).
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ValidationError } from "./Errors.js"

export type JsonValue =
  | string
  | boolean
  | null
  | number
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

export type JsonObject = { readonly [key: string]: JsonValue }

const MAX_DEPTH = 32

// A lone surrogate or NUL anywhere in the string.
const FORBIDDEN_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** True when a string can be stored in PostgreSQL text/jsonb and encoded as UTF-8. */
export const isStorableText = (s: string): boolean => !FORBIDDEN_TEXT.test(s)

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const check = (value: unknown, path: string, depth: number): string | undefined => {
  if (depth > MAX_DEPTH) return `${path}: is nested deeper than ${MAX_DEPTH} levels`
  switch (typeof value) {
    case "string":
      return isStorableText(value) ? undefined : `${path}: contains a NUL character or an unpaired surrogate`
    case "boolean":
      return undefined
    case "number":
      return Number.isSafeInteger(value)
        ? undefined
        : `${path}: numbers must be safe integers (no fractions, no magnitude above 2^53 - 1)`
    case "object": {
      if (value === null) return undefined
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = check(value[i], `${path}.${i}`, depth + 1)
          if (problem !== undefined) return problem
        }
        return undefined
      }
      if (!isPlainObject(value)) return `${path}: must be a plain JSON object`
      for (const key of Object.keys(value)) {
        if (!isStorableText(key)) return `${path}: a key contains a NUL character or an unpaired surrogate`
        const problem = check(value[key], `${path}.${key}`, depth + 1)
        if (problem !== undefined) return problem
      }
      return undefined
    }
    default:
      return `${path}: must be a string, boolean, null, safe integer, array or object`
  }
}

/** Validates an arbitrary value as storable metadata, naming the offending path. */
export const validate = (value: unknown, field = "metadata"): Either.Either<JsonValue, ValidationError> => {
  const problem = check(value, field, 0)
  if (problem === undefined) return Either.right(value as JsonValue)
  const at = problem.indexOf(": ")
  return Either.left(ValidationError.single(problem.slice(0, at), problem.slice(at + 2)))
}

export const validateObject = (value: unknown, field = "metadata"): Either.Either<JsonObject, ValidationError> =>
  isPlainObject(value)
    ? (validate(value, field) as Either.Either<JsonObject, ValidationError>)
    : Either.left(ValidationError.single(field, "must be a JSON object"))

const utf8 = new TextEncoder()

/**
 * Keys are ordered by their UTF-8 bytes (the same as ordering by Unicode
 * code points), which every language can reproduce; JavaScript's default
 * sort compares UTF-16 code units and differs above U+FFFF.
 */
export const compareKeys = (a: string, b: string): number => {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!
  }
  return x.length - y.length
}

/**
 * The canonical text of a validated value: no whitespace, object keys sorted
 * by UTF-8 bytes, integers in plain decimal (`-0` as `0`), strings escaped as
 * ECMAScript JSON.stringify does (`\"`, `\\`, `\b \f \n \r \t`, other
 * controls below U+0020 as lower-case `\u00xx`, everything else literal).
 */
export const encode = (value: JsonValue): string => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "boolean":
      return value ? "true" : "false"
    case "number":
      return Object.is(value, -0) ? "0" : String(value)
  }
  if (Array.isArray(value)) return `[${(value as ReadonlyArray<JsonValue>).map(encode).join(",")}]`
  const object = value as JsonObject
  const keys = Object.keys(object).sort(compareKeys)
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(object[k]!)}`).join(",")}}`
}

/**
 * Parses JSON text as PostgreSQL's jsonb would accept it (the last of
 * duplicate keys wins) and validates the result.
 */
export const parse = (text: string, field = "metadata"): Either.Either<JsonValue, ValidationError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Either.left(ValidationError.single(field, "is not valid JSON"))
  }
  return validate(parsed, field)
}

/** A copy whose keys are inserted in canonical order (handy for display and storage). */
export const normalize = (value: JsonValue): JsonValue => JSON.parse(encode(value)) as JsonValue

/** Audit metadata: a JSON object of the values above. */
export const Metadata: Schema.Schema<JsonObject> = Schema.declare(
  (u: unknown): u is JsonObject => Either.isRight(validateObject(u)),
  {
    identifier: "Metadata",
    description: "a JSON object of strings, booleans, null, safe integers, arrays and objects",
    // The message describes the problem and its path, never the value.
    message: (issue) =>
      Either.match(validateObject(issue.actual), {
        onLeft: (e) => e.message,
        onRight: () => "is not valid metadata"
      })
  }
)
