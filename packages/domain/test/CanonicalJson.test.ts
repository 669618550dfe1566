import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { CanonicalJson } from "../src/index.js"
import { jsonValue, metadata, respell, shuffleKeys } from "./support/Arbitraries.js"

describe("CanonicalJson", () => {
  it("sorts keys by UTF-8 bytes, drops whitespace, writes integers plainly", () => {
    expect(CanonicalJson.encode({ b: 1, a: [true, null, "x"], "é": -0, "\u{1F600}": 2, "\uFFFF": 3 })).toBe(
      `{"a":[true,null,"x"],"b":1,"é":0,"\uFFFF":3,"\u{1F600}":2}`
    )
    expect(CanonicalJson.encode({ s: "tab\there \"q\" \\ \u0001 \u2028" })).toBe(
      `{"s":"tab\\there \\"q\\" \\\\ \\u0001 \u2028"}`
    )
  })

  it("keeps the last of duplicate keys, as jsonb does", () => {
    const parsed = Either.getOrThrow(CanonicalJson.parse(`{"a":1,"b":2,"a":3}`))
    expect(CanonicalJson.encode(parsed)).toBe(`{"a":3,"b":2}`)
  })

  it.each([
    [{ x: 1.5 }, "metadata.x"],
    [{ x: 2 ** 53 }, "metadata.x"],
    [{ x: [1, Number.NaN] }, "metadata.x.1"],
    [{ x: { y: "\u0000" } }, "metadata.x.y"],
    [{ x: "\uD800" }, "metadata.x"],
    [{ x: new Date(0) }, "metadata.x"],
    [{ x: 1n }, "metadata.x"],
    [{ x: undefined }, "metadata.x"]
  ])("rejects %o at %s with a typed error", (value, field) => {
    const result = CanonicalJson.validateObject(value)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("ValidationError")
      expect(result.left.issues[0].field).toBe(field)
    }
  })

  it("rejects floats in parsed text too", () => {
    expect(Either.isLeft(CanonicalJson.parse(`{"a":1.5}`))).toBe(true)
    expect(Either.isLeft(CanonicalJson.parse(`{"a":1e400}`))).toBe(true)
    expect(Either.isLeft(CanonicalJson.parse(`{"a":12345678901234567890}`))).toBe(true)
  })

  it("property: the encoding is the same for every key order", () => {
    fc.assert(fc.property(metadata, fc.nat(), (value, seed) => {
      expect(CanonicalJson.encode(shuffleKeys(value, seed))).toBe(CanonicalJson.encode(value))
    }))
  })

  it("spells zero in every form the property uses", () => {
    for (let choice = 0; choice < 6; choice++) {
      expect(CanonicalJson.encode(Either.getOrThrow(CanonicalJson.parse(respell(0, choice))))).toBe("0")
    }
  })

  it("property: the encoding is the same for every number spelling and whitespace", () => {
    fc.assert(fc.property(jsonValue, fc.nat(), (value, choice) => {
      const reparsed = Either.getOrThrow(CanonicalJson.parse(respell(value, choice)))
      expect(CanonicalJson.encode(reparsed)).toBe(CanonicalJson.encode(value))
    }))
  })

  it("property: the canonical text parses back to an equal value (jsonb round trip)", () => {
    fc.assert(fc.property(jsonValue, (value) => {
      const text = CanonicalJson.encode(value)
      expect(CanonicalJson.encode(Either.getOrThrow(CanonicalJson.parse(text)))).toBe(text)
    }))
  })
})
