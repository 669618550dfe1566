import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { ConfidenceScore, InterestRate } from "../src/index.js"

const rateMessages = [
  "must not be empty",
  "must be an unsigned percentage",
  "must be a percentage such as 6.875, below 100",
  "must have at most six decimals"
]

describe("InterestRate", () => {
  it("keeps exact decimals in their shortest spelling", () => {
    expect(InterestRate.parse("6.875", "interestRate")).toEqual(Either.right("6.875"))
    expect(InterestRate.parse("6.875000", "interestRate")).toEqual(Either.right("6.875"))
    expect(InterestRate.parse("7.0", "interestRate")).toEqual(Either.right("7"))
    expect(InterestRate.parse("99.999999", "interestRate")).toEqual(Either.right("99.999999"))
    expect(InterestRate.toNumeric("6.875" as InterestRate.InterestRate)).toBe("6.875000")
  })

  it.each(["100", "6.8750001", "1e1", "-1", " 6", "", "06.5", ".5", "6."])("rejects %j (NUMERIC(8,6))", (text) => {
    const result = InterestRate.parse(text, "interestRate")
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) expect(rateMessages).toContain(result.left.issues[0].message)
  })

  it("property: every NUMERIC(8,6) text round-trips to the same value", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 99_999_999 }), (micro) => {
      const numeric = `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, "0")}`
      const rate = Either.getOrThrow(InterestRate.parse(numeric, "interestRate"))
      expect(InterestRate.toNumeric(rate)).toBe(numeric)
    }))
  })
})

describe("ConfidenceScore", () => {
  it("normalises every spelling of the same value to three decimals", () => {
    for (const text of ["0.85", "0.850", "0.850000", "0.8500000000"]) {
      expect(ConfidenceScore.parse(text)).toEqual(Either.right("0.850"))
    }
    expect(ConfidenceScore.parse("1")).toEqual(Either.right("1.000"))
    expect(ConfidenceScore.parse("0")).toEqual(Either.right("0.000"))
    expect(ConfidenceScore.fromNumber(0.85)).toEqual(Either.right("0.850"))
  })

  it("rejects more than three decimals instead of rounding", () => {
    expect(Either.isLeft(ConfidenceScore.parse("0.8505"))).toBe(true)
    expect(Either.isLeft(ConfidenceScore.fromNumber(0.1 + 0.2))).toBe(true)
    expect(Either.isLeft(ConfidenceScore.parse("1.001"))).toBe(true)
    expect(Either.isLeft(ConfidenceScore.parse("-0.1"))).toBe(true)
    expect(Either.isLeft(ConfidenceScore.parse("8.5e-1"))).toBe(true)
  })

  it("property: any NUMERIC scale of a 3-decimal value gives the same canonical text", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.nat({ max: 10 }), (milli, extra) => {
      const canonical = `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, "0")}`
      expect(ConfidenceScore.parse(canonical + "0".repeat(extra))).toEqual(Either.right(canonical))
    }))
  })
})
