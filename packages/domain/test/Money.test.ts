import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { Money, Validation } from "../src/index.js"

const parse = (text: string) => Money.parse(text, "loanAmount")

const moneyMessages = [
  "must not be empty",
  "must be an unsigned decimal amount",
  "must have at most two decimals",
  "must not have leading zeros",
  "must be a decimal amount such as 250000.00",
  "is too large"
]

describe("Money", () => {
  it("parses decimal amounts into bigint cents", () => {
    expect(parse("250000.00")).toEqual(Either.right(25_000_000n))
    expect(parse("250000")).toEqual(Either.right(25_000_000n))
    expect(parse("0.5")).toEqual(Either.right(50n))
    expect(parse("0")).toEqual(Either.right(0n))
    expect(parse("92233720368547758.07")).toEqual(Either.right(Money.MAX_CENTS))
  })

  it("formats cents with exactly two decimals", () => {
    expect(Money.format(25_000_000n)).toBe("250000.00")
    expect(Money.format(5n)).toBe("0.05")
    expect(Money.format(Money.MAX_CENTS)).toBe("92233720368547758.07")
  })

  const rejects = [
    "1e5", "1E5", "0x10", " 5", "5 ", "-0", "-5", "+5", "", "5.001", "5.", ".5", "00.5", "01", "1,000.00",
    "NaN", "Infinity", "5.0.0", "５", "92233720368547758.08", "99999999999999999999"
  ]
  it.each(rejects)("rejects %j with a message naming the field, not the value", (text) => {
    const result = parse(text)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("ValidationError")
      expect(result.left.issues[0].field).toBe("loanAmount")
      // A closed set of fixed sentences: no message can carry the value.
      expect(moneyMessages).toContain(result.left.issues[0].message)
    }
  })

  it("the schema reports problems under the field name without the value", () => {
    const S = Schema.Struct({ annualIncome: Money.MoneyFromString })
    const result = Validation.decodeUnknownEither(S)({ annualIncome: "123456.789" })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left.issues).toEqual([{ field: "annualIncome", message: "must have at most two decimals" }])
      expect(JSON.stringify(result.left)).not.toContain("123456")
    }
  })

  it("property: format then parse is the identity on every storable amount", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: Money.MAX_CENTS }), (cents) => {
      expect(parse(Money.format(cents))).toEqual(Either.right(cents))
    }))
  })

  it("property: parse then format gives the two-decimal spelling of the input", () => {
    const amount = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.option(fc.stringMatching(/^[0-9]{1,2}$/)))
      .map(([whole, fraction]) => (fraction === null ? `${whole}` : `${whole}.${fraction}`))
    fc.assert(fc.property(amount, (text) => {
      const cents = Either.getOrThrow(parse(text))
      const [whole, fraction = ""] = text.split(".")
      expect(Money.format(cents)).toBe(`${whole}.${fraction.padEnd(2, "0")}`)
    }))
  })

  it("property: floats in disguise are rejected", () => {
    const disguised = fc.oneof(
      fc.double({ noNaN: true }).map((d) => d.toExponential()),
      fc.integer({ min: 0 }).map((n) => `0x${n.toString(16)}`),
      fc.integer({ min: 0 }).map((n) => ` ${n}`),
      fc.integer({ min: 0 }).map((n) => `-${n}`),
      fc.tuple(fc.nat(), fc.stringMatching(/^[0-9]{3,8}$/)).map(([w, f]) => `${w}.${f}`)
    )
    fc.assert(fc.property(disguised, (text) => {
      expect(Either.isLeft(parse(text))).toBe(true)
    }))
  })

  it("property: what parses is exactly the decimal value of the text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 24 }), (text) => {
      const result = parse(text)
      if (Either.isRight(result)) {
        expect(/^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/.test(text)).toBe(true)
        const [whole, fraction = ""] = text.split(".")
        expect(result.right).toBe(BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, "0")))
      }
    }))
  })
})
