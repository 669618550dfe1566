import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { DocumentContent } from "../src/index.js"
import { concat, jpeg, pdf, png, tiff, zip } from "./support/Files.js"

const accepted = (bytes: Uint8Array) => DocumentContent.inspect(bytes)
const tagOf = (bytes: Uint8Array) => Either.match(accepted(bytes), { onLeft: (e) => e._tag, onRight: (t) => t })

describe("DocumentContent.inspect", () => {
  it("recognises PDF, JPEG, PNG and TIFF by their bytes", () => {
    expect(tagOf(pdf())).toBe("application/pdf")
    expect(tagOf(jpeg())).toBe("image/jpeg")
    expect(tagOf(png())).toBe("image/png")
    expect(tagOf(tiff())).toBe("image/tiff")
  })

  it("accepts ordinary real-world shapes: multi-page and big-endian TIFF, incremental PDF, JPEG trailers", () => {
    expect(tagOf(tiff(3))).toBe("image/tiff")
    expect(tagOf(tiff(2, true))).toBe("image/tiff")
    expect(tagOf(pdf("x", true))).toBe("application/pdf")
    expect(tagOf(jpeg({ trailer: new TextEncoder().encode("MotionPhoto_Data\x00\x01\x02") }))).toBe("image/jpeg")
  })

  it("reports truncated or broken files as DamagedFile", () => {
    const cut = (b: Uint8Array, n: number) => b.subarray(0, b.length - n)
    expect(tagOf(cut(pdf(), 8))).toBe("DamagedFile")
    expect(tagOf(cut(png(), 6))).toBe("DamagedFile")
    expect(tagOf(cut(jpeg(), 2))).toBe("DamagedFile")
    expect(tagOf(cut(tiff(2), 2))).toBe("DamagedFile")
    const badCrc = png()
    badCrc[20] = badCrc[20]! ^ 0xff
    expect(tagOf(badCrc)).toBe("DamagedFile")
    expect(tagOf(new Uint8Array())).toBe("DamagedFile")
  })

  it("refuses other types", () => {
    expect(tagOf(new TextEncoder().encode("GIF89a......"))).toBe("UnsupportedMediaType")
    expect(tagOf(zip())).toBe("UnsupportedMediaType")
    expect(tagOf(new TextEncoder().encode("hello"))).toBe("UnsupportedMediaType")
  })

  it("refuses polyglots", () => {
    // markup or script at the start
    expect(tagOf(new TextEncoder().encode("<html><body>%PDF-1.4</body></html>"))).toBe("UnsupportedMediaType")
    expect(tagOf(new TextEncoder().encode("\uFEFF  <svg/>"))).toBe("UnsupportedMediaType")
    expect(tagOf(new TextEncoder().encode("#!/bin/sh\necho"))).toBe("UnsupportedMediaType")
    // a PDF header within the first 1024 bytes of a non-PDF
    expect(tagOf(jpeg({ comment: "%PDF-1.4 obj" }))).toBe("DamagedFile")
    expect(tagOf(concat(new TextEncoder().encode("junk\n"), pdf()))).toBe("UnsupportedMediaType")
    // a ZIP structure inside an image or a PDF
    expect(tagOf(concat(png(), zip()))).toBe("DamagedFile")
    expect(tagOf(jpeg({ trailer: zip() }))).toBe("DamagedFile")
    expect(tagOf(concat(pdf().subarray(0, 20), zip(), pdf().subarray(20)))).toBe("DamagedFile")
    const result = accepted(concat(png(), zip()))
    expect(Either.isLeft(result) && result.left.message).toContain("polyglot")
  })

  it("does not mistake a chance ZIP signature in image data for an archive", () => {
    const data = concat(jpeg().subarray(0, 40), [0x50, 0x4b, 0x05, 0x06, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], jpeg().subarray(40))
    expect(tagOf(jpeg({ trailer: data }))).toBe("image/jpeg")
  })
})

describe("DocumentContent.sanitizeFilename", () => {
  it.each([
    ["../../etc/passwd", "application/pdf", "passwd.pdf"],
    ["C:\\Users\\jo\\scan 1.PDF", "application/pdf", "scan 1.PDF"],
    ["..hidden.pdf", "application/pdf", "hidden.pdf"],
    ["résumé.pdf", "application/pdf", "r_sum_.pdf"],
    ["photo.jpeg", "image/jpeg", "photo.jpeg"],
    ["photo.png", "image/jpeg", "photo.png.jpg"],
    ["", "image/tiff", "document.tif"],
    ["-rf.png", "image/png", "rf.png"],
    ["a\u0000b<script>.png", "image/png", "a_b_script_.png"],
    ["___.pdf", "application/pdf", "document.pdf"]
  ] as const)("%j -> %j", (raw, type, expected) => {
    expect(DocumentContent.sanitizeFilename(raw, type)).toBe(expected)
  })

  it("limits names to 255 characters, keeping the extension", () => {
    const name = DocumentContent.sanitizeFilename(`${"a".repeat(400)}.pdf`, "application/pdf")
    expect(name.length).toBe(255)
    expect(name.endsWith(".pdf")).toBe(true)
  })
})

describe("DocumentContent.sanitizeFilename (property)", () => {
  it("always yields a valid stored file name", async () => {
    const fc = (await import("fast-check")).default
    const Schema = await import("effect/Schema")
    const { LoanDocument } = await import("../src/index.js")
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 600 }), fc.constantFrom(...LoanDocument.MediaType.literals), (raw, type) => {
      const name = DocumentContent.sanitizeFilename(raw, type)
      expect(Schema.is(LoanDocument.Filename)(name)).toBe(true)
      expect(name).not.toContain("/")
      expect(name).not.toContain("\\\\")
    }))
  })
})
