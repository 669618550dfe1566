/**
 * Header values built from client input: Content-Disposition of downloads
 * and the correlation id. Whatever the input, no header can be injected.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { attachment } from "../src/ContentDisposition.js"
import { choose } from "../src/RequestId.js"

const EXT = /^[A-Za-z0-9!#$&+\-.^_`|~%]*$/

describe("ContentDisposition.attachment", () => {
  it("keeps a plain name as it is", () => {
    expect(attachment("scan 1.pdf")).toBe(`attachment; filename="scan 1.pdf"; filename*=UTF-8''scan%201.pdf`)
  })

  it("encodes non-ASCII names in filename* and falls back to ASCII", () => {
    expect(attachment("résumé.pdf")).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`)
  })

  it("never lets a name end the parameter or the header", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (name) => {
        const value = attachment(name)
        expect(value).not.toMatch(/[\r\n\u0000]/)
        const match = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''(.*)$/.exec(value)
        expect(match).not.toBeNull()
        expect(match![1]).toMatch(/^[\x20-\x7e]+$/)
        expect(match![2]).toMatch(EXT)
      })
    )
  })

  it("round-trips the exact name through filename*", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 100 }), (name) => {
        const encoded = /filename\*=UTF-8''(.*)$/.exec(attachment(name))![1]!
        expect(decodeURIComponent(encoded)).toBe(name)
      })
    )
  })
})

describe("RequestId.choose", () => {
  it("keeps an acceptable id and replaces anything else with a UUID", () => {
    expect(choose("abc-123_XYZ")).toBe("abc-123_XYZ")
    expect(choose("x".repeat(128))).toBe("x".repeat(128))
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (header) => {
        const id = choose(header)
        expect(id).toMatch(/^[A-Za-z0-9_-]{1,128}$/)
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(header)) {
          expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        }
      })
    )
    expect(choose(undefined)).toMatch(/^[0-9a-f-]{36}$/)
  })
})
