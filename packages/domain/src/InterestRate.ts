/**
 * An interest rate as a percentage in an exact decimal string ("6.875" means
 * 6.875 %), stored as NUMERIC(8,6): at most two integer digits and six
 * decimals. Held in its shortest spelling ("6.875", "7"); PostgreSQL's
 * "6.875000" normalises to the same value. Like money, it is never a float.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ValidationError } from "./Errors.js"

export const InterestRate = Schema.String.pipe(
  Schema.pattern(/^(0|[1-9][0-9]?)(\.[0-9]{0,5}[1-9])?$/, {
    message: () => "must be a percentage from 0 to 99.999999 with at most six decimals"
  }),
  Schema.brand("InterestRate")
)
export type InterestRate = typeof InterestRate.Type

const RATE = /^(0|[1-9][0-9]?)(?:\.([0-9]+))?$/

/** The shortest spelling of an exact rate, or why the text is not one. */
const check = (text: string): Either.Either<InterestRate, string> => {
  if (text.length === 0) return Either.left("must not be empty")
  if (/^[+-]/.test(text)) return Either.left("must be an unsigned percentage")
  const match = RATE.exec(text)
  if (match === null) return Either.left("must be a percentage such as 6.875, below 100")
  const fraction = (match[2] ?? "").replace(/0+$/, "")
  if (fraction.length > 6) return Either.left("must have at most six decimals")
  return Either.right((fraction.length === 0 ? match[1]! : `${match[1]}.${fraction}`) as InterestRate)
}

export const parse = (text: string, field: string): Either.Either<InterestRate, ValidationError> =>
  Either.mapLeft(check(text), (reason) => ValidationError.single(field, reason))

/** The NUMERIC(8,6) text with all six decimals, as PostgreSQL prints it. */
export const toNumeric = (rate: InterestRate): string => {
  const [whole, fraction = ""] = rate.split(".") as [string, string?]
  return `${whole}.${fraction.padEnd(6, "0")}`
}

/** Accepts any exact spelling (API input or NUMERIC text) and yields the shortest. */
export const InterestRateFromString = Schema.transformOrFail(Schema.String, InterestRate, {
  strict: true,
  decode: (text, _, ast) =>
    Either.match(check(text), {
      onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, text, reason)),
      onRight: ParseResult.succeed
    }),
  encode: (rate) => ParseResult.succeed(rate)
}).annotations({ description: "a percentage such as 6.875" })
