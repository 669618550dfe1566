/**
 * Path and query parameters are decoded by HttpApi itself, and its decode
 * error carries the default formatter's messages, which quote the input
 * ("Expected ..., actual "123-45-6789""). A response must never echo a
 * submitted value, so messages are taken from a closed vocabulary instead:
 * a parameter schema declares its message with `described`, and only
 * messages declared that way ever reach a response.
 */
import type { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import type * as Schema from "effect/Schema"
import type { FieldProblem } from "./Problem.js"

const approved = new Set<string>()

/**
 * Annotates a parameter schema with the one message shown for any failure
 * inside it (`override`: nested refinements and transformations included).
 */
export const described = <S extends Schema.Schema.Any>(schema: S, message: string): S => {
  approved.add(message)
  return schema.annotations({
    description: message,
    message: () => ({ message, override: true })
  }) as S
}

const GENERIC = "is not valid"

/** One problem per offending parameter, in the order HttpApi reported them. */
export const fieldProblems = (error: HttpApiDecodeError): ReadonlyArray<FieldProblem> => {
  const byField = new Map<string, string>()
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".")
    const message =
      issue._tag === "Missing" ? "is required" :
      issue._tag === "Unexpected" ? "is not an allowed parameter" :
      approved.has(issue.message) ? issue.message :
      GENERIC
    const previous = byField.get(field)
    // A declared message beats the generic one that a union member produced.
    if (previous === undefined || previous === GENERIC) byField.set(field, message)
  }
  return Array.from(byField, ([field, message]) => ({ field, message }))
}
