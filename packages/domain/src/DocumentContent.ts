/**
 * What an uploaded file is, decided from its bytes, never from its name or
 * the client's Content-Type: PDF, JPEG, PNG or TIFF by magic bytes, a
 * structural walk that catches truncated files, and a refusal of polyglots
 * (files that also parse as another type, ARCHITECTURE Contracts):
 *
 * - a `%PDF-` header within the first 1024 bytes of a non-PDF;
 * - markup or script at the start;
 * - a ZIP structure (end-of-central-directory record pointing at a central
 *   directory) inside an image or a PDF.
 *
 * Ordinary real-world files pass: multi-page and big-endian TIFF scans,
 * incrementally saved PDFs (several `%%EOF`), phone JPEGs with data after
 * the end marker.
 */
import * as Either from "effect/Either"
import { DamagedFile, UnsupportedMediaType } from "./Errors.js"
import type { Filename, MediaType } from "./LoanDocument.js"

/** The largest document accepted, in bytes. */
export const MAX_BYTES = 20 * 1024 * 1024

type Inspection = Either.Either<MediaType, UnsupportedMediaType | DamagedFile>

const startsWith = (bytes: Uint8Array, prefix: ReadonlyArray<number>, at = 0): boolean =>
  prefix.every((b, i) => bytes[at + i] === b)

const ascii = (text: string): ReadonlyArray<number> => [...text].map((c) => c.charCodeAt(0))

const indexOf = (bytes: Uint8Array, needle: ReadonlyArray<number>, from = 0, to = bytes.length): number => {
  const first = needle[0]!
  const end = Math.min(to, bytes.length) - needle.length
  for (let i = bytes.indexOf(first, from); i !== -1 && i <= end; i = bytes.indexOf(first, i + 1)) {
    if (startsWith(bytes, needle, i)) return i
  }
  return -1
}

const PDF = ascii("%PDF-")
const EOF_MARK = ascii("%%EOF")
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG = [0xff, 0xd8, 0xff]
const TIFF_LE = [0x49, 0x49, 0x2a, 0x00]
const TIFF_BE = [0x4d, 0x4d, 0x00, 0x2a]
const ZIP_EOCD = [0x50, 0x4b, 0x05, 0x06]
const ZIP_CENTRAL = [0x50, 0x4b, 0x01, 0x02]
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04]

const unsupported = (reason: string): Inspection => Either.left(new UnsupportedMediaType({ reason }))
const damaged = (reason: string): Inspection => Either.left(new DamagedFile({ reason }))

// -- polyglot signals ------------------------------------------------------

/** Markup or script at the start (after a BOM and blanks): `<`, `#!`. */
const startsWithMarkup = (bytes: Uint8Array): boolean => {
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++
  return bytes[i] === 0x3c || startsWith(bytes, ascii("#!"), i)
}

/**
 * A ZIP archive is read from its end-of-central-directory record; a record
 * whose directory size/offset lead to a central-directory header is a real
 * archive, not a chance byte pattern in compressed data.
 */
const containsZip = (bytes: Uint8Array): boolean => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = indexOf(bytes, ZIP_EOCD); at !== -1; at = indexOf(bytes, ZIP_EOCD, at + 1)) {
    if (at + 22 > bytes.length) break
    const size = view.getUint32(at + 12, true)
    const offset = view.getUint32(at + 16, true)
    const start = at - size
    if (start >= 0 && startsWith(bytes, ZIP_CENTRAL, start)) return true
    if (offset + 4 <= bytes.length && startsWith(bytes, ZIP_CENTRAL, offset)) return true
  }
  // A local file header at the very start of a chunk of data that then also
  // holds a central directory is covered above; a lone local header with a
  // valid name length and a central header later is the other common form.
  const local = indexOf(bytes, ZIP_LOCAL)
  return local !== -1 && indexOf(bytes, ZIP_CENTRAL, local + 30) !== -1 && indexOf(bytes, ZIP_EOCD, local) !== -1
}

// -- structure walks -------------------------------------------------------

const checkPdf = (bytes: Uint8Array): Inspection => {
  // Incremental saves append sections, each ending in %%EOF; the last one
  // must be at the end (trailing whitespace and a little junk are common).
  const tailStart = Math.max(0, bytes.length - 1024)
  if (indexOf(bytes, EOF_MARK, tailStart) === -1) return damaged("PDF without an end-of-file marker (truncated?)")
  return Either.right("application/pdf")
}

const checkPng = (bytes: Uint8Array): Inspection => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 8
  let first = true
  while (true) {
    if (at + 12 > bytes.length) return damaged("PNG ends inside a chunk (truncated?)")
    const length = view.getUint32(at)
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    if (first && type !== "IHDR") return damaged("PNG does not start with IHDR")
    first = false
    const end = at + 12 + length
    if (length > 0x7fffffff || end > bytes.length) return damaged("PNG ends inside a chunk (truncated?)")
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      return damaged(`PNG chunk ${/^[A-Za-z]{4}$/.test(type) ? type : "?"} has a wrong checksum`)
    }
    if (type === "IEND") return Either.right("image/png")
    at = end
  }
}

const checkJpeg = (bytes: Uint8Array): Inspection => {
  let at = 2
  // Marker segments up to the start of scan.
  while (true) {
    if (at + 4 > bytes.length) return damaged("JPEG ends before its image data (truncated?)")
    if (bytes[at] !== 0xff) return damaged("JPEG segment structure is broken")
    const marker = bytes[at + 1]!
    if (marker === 0xff) {
      at += 1 // fill byte
      continue
    }
    if (marker === 0xd9) return damaged("JPEG has no image data")
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (length < 2 || at + 2 + length > bytes.length) return damaged("JPEG ends inside a segment (truncated?)")
    at += 2 + length
    if (marker === 0xda) break
  }
  // Entropy-coded data (and further scans of progressive JPEGs) up to EOI;
  // anything after EOI (phone trailers, depth maps) is allowed.
  for (let i = bytes.indexOf(0xff, at); i !== -1 && i + 1 < bytes.length; i = bytes.indexOf(0xff, i + 1)) {
    if (bytes[i + 1] === 0xd9) return Either.right("image/jpeg")
  }
  return damaged("JPEG has no end-of-image marker (truncated?)")
}

const TIFF_TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 }

const checkTiff = (bytes: Uint8Array): Inspection => {
  const little = bytes[0] === 0x49
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u16 = (at: number) => view.getUint16(at, little)
  const u32 = (at: number) => view.getUint32(at, little)
  const fits = (at: number, length: number) => at >= 0 && length >= 0 && at + length <= bytes.length
  let ifd = u32(4)
  const seen = new Set<number>()
  let pages = 0
  while (ifd !== 0) {
    if (seen.has(ifd) || pages >= 10_000) return damaged("TIFF directory chain loops")
    seen.add(ifd)
    if (!fits(ifd, 2)) return damaged("TIFF directory lies beyond the end of the file (truncated?)")
    const count = u16(ifd)
    if (!fits(ifd + 2, count * 12 + 4)) return damaged("TIFF directory lies beyond the end of the file (truncated?)")
    const values = (tag: number): Array<number> | undefined => {
      for (let e = 0; e < count; e++) {
        const entry = ifd + 2 + e * 12
        if (u16(entry) !== tag) continue
        const type = u16(entry + 2)
        const n = u32(entry + 4)
        const size = TIFF_TYPE_SIZES[type] ?? 0
        if ((type !== 3 && type !== 4) || n > 1_000_000) return []
        const inline = size * n <= 4
        const base = inline ? entry + 8 : u32(entry + 8)
        if (!fits(base, size * n)) return undefined
        return Array.from({ length: n }, (_, k) => (type === 3 ? u16(base + k * 2) : u32(base + k * 4)))
      }
      return []
    }
    const offsets = values(273) ?? values(324)
    const counts = values(279) ?? values(325)
    if (offsets === undefined || counts === undefined) return damaged("TIFF tag data lies beyond the end of the file")
    const dataOffsets = offsets.length > 0 ? offsets : (values(324) ?? [])
    const dataCounts = counts.length > 0 ? counts : (values(325) ?? [])
    if (dataOffsets.length === 0 || dataOffsets.length !== dataCounts.length) {
      return damaged("TIFF image has no readable strips or tiles")
    }
    for (let k = 0; k < dataOffsets.length; k++) {
      if (!fits(dataOffsets[k]!, dataCounts[k]!)) return damaged("TIFF image data lies beyond the end of the file (truncated?)")
    }
    pages++
    ifd = u32(ifd + 2 + count * 12)
  }
  return pages === 0 ? damaged("TIFF has no image directory") : Either.right("image/tiff")
}

// -- inspection -----------------------------------------------------------

/**
 * The media type of `bytes`, or why they are refused: UnsupportedMediaType
 * for content that is no supported type (including markup or script at the
 * start, and a PDF header behind other content), DamagedFile for a truncated
 * or broken file of a supported type, and for one that also carries another
 * format (a PDF header inside an image, a ZIP inside an image or a PDF): the
 * polyglot rule of issue 6, answered 422.
 */
export const inspect = (bytes: Uint8Array): Inspection => {
  if (bytes.length === 0) return damaged("the file is empty")
  if (startsWithMarkup(bytes)) return unsupported("markup or script is not a document")
  let detected: Inspection
  if (startsWith(bytes, PDF)) detected = checkPdf(bytes)
  else if (startsWith(bytes, PNG)) detected = checkPng(bytes)
  else if (startsWith(bytes, JPEG)) detected = checkJpeg(bytes)
  else if ((startsWith(bytes, TIFF_LE) || startsWith(bytes, TIFF_BE)) && bytes.length >= 8) detected = checkTiff(bytes)
  else if (startsWith(bytes, TIFF_LE.slice(0, 2)) || startsWith(bytes, TIFF_BE.slice(0, 2))) {
    return bytes.length < 8 ? damaged("TIFF header is truncated") : unsupported("only classic TIFF is accepted")
  } else return indexOf(bytes, PDF, 0, 1024) === -1
    ? unsupported("only PDF, JPEG, PNG and TIFF are accepted")
    : unsupported("a PDF header after other content (polyglot)")
  if (Either.isLeft(detected)) return detected
  if (detected.right !== "application/pdf" && indexOf(bytes, PDF, 0, 1024) !== -1) {
    return damaged("an image that also carries a PDF header (polyglot)")
  }
  if (containsZip(bytes)) return damaged("the file also contains a ZIP archive (polyglot)")
  return detected
}

// -- filenames -------------------------------------------------------------

const EXTENSIONS: Record<MediaType, ReadonlyArray<string>> = {
  "application/pdf": [".pdf"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/png": [".png"],
  "image/tiff": [".tif", ".tiff"]
}

const MAX_FILENAME = 255

/**
 * A safe stored name: the last path segment only (both `/` and `\`), every
 * character outside `A-Z a-z 0-9 . _ - ( ) space` replaced by `_`, no
 * leading dots, dashes or blanks, at most 255 characters, and an extension
 * that matches the detected type (appended when missing or different).
 */
export const sanitizeFilename = (raw: string, mediaType: MediaType): Filename => {
  const name = (raw.split(/[/\\]/).pop() ?? "").normalize("NFKC").replace(/[^A-Za-z0-9._ ()-]/g, "_")
  const extensions = EXTENSIONS[mediaType]
  const found = extensions.find((e) => name.toLowerCase().endsWith(e))
  const extension = found === undefined ? extensions[0]! : name.slice(name.length - found.length)
  const stem = (found === undefined ? name : name.slice(0, name.length - found.length))
    .replace(/^[._ -]+/, "")
    .slice(0, MAX_FILENAME - extension.length)
    .replace(/[. ]+$/, "")
  const safeStem = stem === "" ? "document" : /^[A-Za-z0-9]/.test(stem) ? stem : `document_${stem}`.slice(0, MAX_FILENAME - extension.length)
  return `${safeStem}${extension}` as Filename
}

// CRC-32 (ISO 3309) for PNG chunk checks.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
