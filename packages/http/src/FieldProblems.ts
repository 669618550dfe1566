/**
 * Field problems as a client should read them: one entry per field and
 * message. A value that matches none of a union's members produces one issue
 * per member ("must be "a"", "must be "b"", and "must be undefined" for an
 * optional field); those are folded into one "must be one of ..." here.
 */
import type { FieldProblem } from "./Problem.js"

const LITERAL = /^must be ("(?:[^"\\]|\\.)*")$/
const UNDEFINED = "must be undefined"

export const tidy = (problems: ReadonlyArray<FieldProblem>): ReadonlyArray<FieldProblem> => {
  const byField = new Map<string, Array<string>>()
  for (const { field, message } of problems) {
    const messages = byField.get(field) ?? []
    if (!messages.includes(message)) messages.push(message)
    byField.set(field, messages)
  }
  const out: Array<FieldProblem> = []
  for (const [field, messages] of byField) {
    const meaningful = messages.length > 1 ? messages.filter((m) => m !== UNDEFINED) : messages
    const literals = meaningful.flatMap((m) => {
      const match = LITERAL.exec(m)
      return match === null ? [] : [match[1]!]
    })
    const others = meaningful.filter((m) => !LITERAL.test(m))
    if (literals.length > 1) out.push({ field, message: `must be one of ${literals.join(", ")}` })
    else if (literals.length === 1) out.push({ field, message: `must be ${literals[0]}` })
    for (const message of others) out.push({ field, message })
  }
  return out
}
