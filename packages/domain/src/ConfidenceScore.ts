/**
 * An agent's confidence, 0 to 1 with at most three decimals. More precision
 * is refused rather than rounded (ARCHITECTURE, Domain): a rounded score
 * would record a decision the agent did not make.
 *
 * Canonical form: exactly three decimals ("0.850", "1.000"). PostgreSQL's
 * NUMERIC prints its own scale ("0.85", "0.850000"); every such spelling of
 * the same value normalises to the same text, so the audit hash is stable.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

export const ConfidenceScore = Schema.String.pipe(
  Schema.pattern(/^(0\.\d{3}|1\.000)$/, {
    message: () => "must be a decimal from 0 to 1 with exactly three decimals"
  }),
  Schema.brand("ConfidenceScore")
)
export type ConfidenceScore = typeof ConfidenceScore.Type

const DECIMAL = /^([01])(?:\.(\d+))?$/

/** Normalises a decimal text; extra decimals are accepted only when they are zeros. */
export const parse = (text: string): Either.Either<ConfidenceScore, string> => {
  const match = DECIMAL.exec(text)
  if (match === null) return Either.left("must be a decimal from 0 to 1")
  const whole = match[1]!
  const fraction = match[2] ?? ""
  const significant = fraction.replace(/0+$/, "")
  if (significant.length > 3) return Either.left("must have at most three decimals")
  const three = significant.padEnd(3, "0")
  if (whole === "1" && three !== "000") return Either.left("must be a decimal from 0 to 1")
  return Either.right(`${whole}.${three}` as ConfidenceScore)
}

/** A JavaScript number is accepted by its shortest decimal spelling (0.85 -> "0.85"). */
export const fromNumber = (n: number): Either.Either<ConfidenceScore, string> =>
  Number.isFinite(n) ? parse(Object.is(n, -0) ? "0" : String(n)) : Either.left("must be a decimal from 0 to 1")

export const toNumber = (c: ConfidenceScore): number => Number(c)

/** Accepts a string or a number and yields the canonical text. */
export const ConfidenceScoreFromInput = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Number),
  ConfidenceScore,
  {
    strict: true,
    decode: (input, _, ast) =>
      Either.match(typeof input === "number" ? fromNumber(input) : parse(input), {
        onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, input, reason)),
        onRight: ParseResult.succeed
      }),
    encode: (c) => ParseResult.succeed(c)
  }
)
