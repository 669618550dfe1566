import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { Timestamp } from "../src/index.js"

describe("Timestamp", () => {
  it.each([
    ["2026-12-03 15:56:55.1234+01", "2026-12-03T14:56:55.123400Z"],
    ["2026-12-03 15:56:55+01", "2026-12-03T14:56:55.000000Z"],
    ["2026-12-03 14:56:55.123400+00", "2026-12-03T14:56:55.123400Z"],
    ["2026-12-03T14:56:55.1234Z", "2026-12-03T14:56:55.123400Z"],
    ["2026-12-03 20:26:55.1234+05:30", "2026-12-03T14:56:55.123400Z"],
    ["2026-12-03 09:56:55.1234-05", "2026-12-03T14:56:55.123400Z"],
    ["2026-12-04 00:00:00.000001+09:00", "2026-12-03T15:00:00.000001Z"],
    ["1900-01-01 00:53:28+00:53:28", "1900-01-01T00:00:00.000000Z"]
  ])("normalises %s", (text, canonical) => {
    expect(Timestamp.parse(text)).toEqual(Either.right(canonical))
  })

  it.each(["2026-12-03 15:56:55", "2026-02-30 00:00:00Z", "2026-12-03 24:00:00Z", "infinity", "2026-12-03 15:56:55.1234567Z", ""])(
    "rejects %j",
    (text) => {
      expect(Either.isLeft(Timestamp.parse(text))).toBe(true)
    }
  )

  it("property: every offset and trimmed fraction of an instant gives the same canonical text", () => {
    const instant = fc.bigInt({ min: 0n, max: 253_402_300_799_999_999n - 86_400_000_000n })
    const offset = fc.integer({ min: -15 * 60, max: 15 * 60 }) // minutes
    fc.assert(fc.property(instant, offset, (micros, minutes) => {
      const canonical = Timestamp.fromEpochMicros(micros)
      const local = Timestamp.fromEpochMicros(micros + BigInt(minutes) * 60_000_000n)
      const fraction = local.slice(20, 26).replace(/0+$/, "")
      const sign = minutes < 0 ? "-" : "+"
      const abs = Math.abs(minutes)
      const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${abs % 60 === 0 ? "" : ":" + String(abs % 60).padStart(2, "0")}`
      const text = `${local.slice(0, 10)} ${local.slice(11, 19)}${fraction === "" ? "" : "." + fraction}${zone}`
      expect(Timestamp.parse(text)).toEqual(Either.right(canonical))
      expect(Timestamp.toEpochMicros(canonical)).toBe(micros)
    }))
  })

  it("orders canonical texts like instants", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.bigInt({ min: 0n, max: 10n ** 17n }), (a, b) => {
      const ta = Timestamp.fromEpochMicros(a)
      const tb = Timestamp.fromEpochMicros(b)
      expect(Timestamp.compare(ta, tb)).toBe(a < b ? -1 : a > b ? 1 : 0)
    }))
  })
})
