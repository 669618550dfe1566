/**
 * Money: the API speaks string decimals ("250000.00"), the domain and the
 * database hold integer cents as bigint / BIGINT. No float is ever on the way:
 * parsing is textual, and everything that a float parser would quietly accept
 * ("1e5", "0x10", " 5", "-0", "5.001") is refused with a message that names
 * the field and never the value (amounts may belong to a borrower).
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ValidationError } from "./Errors.js"

/** PostgreSQL BIGINT's maximum, the largest storable amount in cents. */
export const MAX_CENTS = 9223372036854775807n

export const Cents = Schema.BigIntFromSelf.pipe(
  Schema.filter((c) => (c >= 0n && c <= MAX_CENTS) || "must be between 0 and the BIGINT maximum"),
  Schema.brand("Cents")
)
export type Cents = typeof Cents.Type

const AMOUNT = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/

/** Why a text is not an amount, or undefined when it is one. */
const problem = (text: string): string | undefined => {
  if (text.length === 0) return "must not be empty"
  if (/^[+-]/.test(text)) return "must be an unsigned decimal amount"
  if (/^[0-9]+\.[0-9]{3,}$/.test(text)) return "must have at most two decimals"
  if (/^0[0-9]/.test(text)) return "must not have leading zeros"
  if (!AMOUNT.test(text)) return "must be a decimal amount such as 250000.00"
  return undefined
}

/** Parses a decimal amount into cents, reporting problems under `field`. */
export const parse = (text: string, field: string): Either.Either<Cents, ValidationError> => {
  const reason = parseReason(text)
  return typeof reason === "string"
    ? Either.left(ValidationError.single(field, reason))
    : Either.right(reason)
}

const parseReason = (text: string): Cents | string => {
  const reason = problem(text)
  if (reason !== undefined) return reason
  const [whole, fraction = ""] = text.split(".") as [string, string?]
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"))
  if (cents > MAX_CENTS) return "is too large"
  return cents as Cents
}

/** Cents as a decimal amount with exactly two decimals ("250000.00"). */
export const format = (cents: bigint): string => {
  const negative = cents < 0n
  const abs = negative ? -cents : cents
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`
  return negative ? `-${text}` : text
}

export const fromCents = (cents: bigint): Either.Either<Cents, ValidationError> =>
  cents >= 0n && cents <= MAX_CENTS
    ? Either.right(cents as Cents)
    : Either.left(ValidationError.single("cents", "must be between 0 and the BIGINT maximum"))

/** The API form: a decimal string decoding to cents, encoding back with two decimals. */
export const MoneyFromString = Schema.transformOrFail(Schema.String, Cents, {
  strict: true,
  decode: (text, _, ast) => {
    const result = parseReason(text)
    return typeof result === "string"
      ? ParseResult.fail(new ParseResult.Type(ast, text, result))
      : ParseResult.succeed(result)
  },
  encode: (cents) => ParseResult.succeed(format(cents))
}).annotations({ description: "a decimal amount such as 250000.00" })
