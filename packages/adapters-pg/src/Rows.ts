/**
 * Decoding rows into domain values. A stored row that does not decode is a
 * broken invariant (a defect), reported by column name and reason only: the
 * default Schema messages quote the value, which may be PII.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Validation from "@loan-ledger/domain/Validation"

export interface Reader<B> {
  readonly all: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<B>>
  /** The first row, if any (the query selects at most one). */
  readonly first: (rows: ReadonlyArray<unknown>) => Effect.Effect<Option.Option<B>>
}

/** Rows of `schema`, turned into domain values by `toDomain`. */
export const reader = <A, I, B = A>(
  schema: Schema.Schema<A, I, never>,
  what: string,
  toDomain: (row: A) => B = (row) => row as unknown as B
): Reader<B> => {
  const decode = Schema.decodeUnknown(Schema.Array(schema), { errors: "all" })
  const all = (rows: ReadonlyArray<unknown>) =>
    decode(rows).pipe(
      Effect.map((decoded) => decoded.map(toDomain)),
      Effect.catchAll((error) =>
        Effect.dieMessage(`a stored ${what} cannot be read (${Validation.fromParseError(error).message})`)
      )
    )
  return {
    all,
    first: (rows) => Effect.map(all(rows.slice(0, 1)), (values) => Option.fromNullable(values[0]))
  }
}
