/**
 * Decoding rows into domain values. A stored row that does not decode is a
 * broken invariant (a defect), reported by column name and reason only: the
 * default Schema messages quote the value, which may be PII.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Validation from "@loan-ledger/domain/Validation"

export const decodeAll = <A, I>(schema: Schema.Schema<A, I, never>, what: string) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema), { errors: "all" })
  return (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<A>> =>
    Effect.catchAll(decode(rows), (error) =>
      Effect.dieMessage(`a stored ${what} cannot be read (${Validation.fromParseError(error).message})`))
}

export const decodeFirst = <A, I>(schema: Schema.Schema<A, I, never>, what: string) => {
  const all = decodeAll(schema, what)
  return (rows: ReadonlyArray<unknown>): Effect.Effect<Option.Option<A>> =>
    Effect.map(all(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))
}
