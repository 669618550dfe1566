/** Tiny but structurally real files for DocumentContent and upload tests. */
import { DocumentContent } from "../../src/index.js"

const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))
const concat = (...parts: ReadonlyArray<ArrayLike<number>>) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const pngChunk = (type: string, data: ArrayLike<number>) => {
  const body = concat(ascii(type), data)
  return concat(u32be(data.length), body, u32be(DocumentContent.crc32(body)))
}

export const png = (): Uint8Array =>
  concat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pngChunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]),
    pngChunk("IDAT", [0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]),
    pngChunk("IEND", [])
  )

export const jpeg = (options: { comment?: string; trailer?: ArrayLike<number> } = {}): Uint8Array => {
  const comment = options.comment === undefined ? [] : [0xff, 0xfe, 0, options.comment.length + 2, ...ascii(options.comment)]
  return concat(
    [0xff, 0xd8],
    [0xff, 0xe0, 0x00, 0x10, ...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    comment,
    [0xff, 0xdb, 0x00, 0x43, 0, ...new Array(64).fill(1)],
    [0xff, 0xc0, 0x00, 0x0b, 8, 0, 1, 0, 1, 1, 1, 0x11, 0],
    [0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0],
    [0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78],
    [0xff, 0xd9],
    options.trailer ?? []
  )
}

/** A TIFF with `pages` one-strip pages, little or big endian. */
export const tiff = (pages = 1, bigEndian = false): Uint8Array => {
  const bytes: Array<number> = []
  const u16 = (n: number) => (bigEndian ? [(n >> 8) & 0xff, n & 0xff] : [n & 0xff, (n >> 8) & 0xff])
  const u32 = (n: number) => (bigEndian ? u32be(n) : u32be(n).reverse())
  bytes.push(...(bigEndian ? ascii("MM") : ascii("II")), ...u16(42), ...u32(8))
  for (let p = 0; p < pages; p++) {
    const ifd = bytes.length
    const entries = 4
    const ifdSize = 2 + entries * 12 + 4
    const strip = ifd + ifdSize
    const next = p === pages - 1 ? 0 : strip + 4
    const entry = (tag: number, type: number, value: number) =>
      [...u16(tag), ...u16(type), ...u32(1), ...(type === 3 ? [...u16(value), 0, 0] : u32(value))]
    bytes.push(...u16(entries), ...entry(256, 3, 1), ...entry(257, 3, 1), ...entry(273, 4, strip), ...entry(279, 4, 4), ...u32(next))
    bytes.push(0xde, 0xad, 0xbe, 0xef)
  }
  return Uint8Array.from(bytes)
}

export const pdf = (body = "1 0 obj << >> endobj", incremental = false): Uint8Array => {
  const base = `%PDF-1.7\n${body}\ntrailer << >>\nstartxref\n0\n%%EOF\n`
  return new TextEncoder().encode(incremental ? `${base}2 0 obj << >> endobj\nstartxref\n10\n%%EOF\r\n` : base)
}

/** A one-file stored ZIP archive. */
export const zip = (): Uint8Array => {
  const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff]
  const u32le = (n: number) => u32be(n).reverse()
  const name = ascii("a.js")
  const data = ascii("alert(1)")
  const local = [...ascii("PK\x03\x04"), ...u16le(20), 0, 0, 0, 0, 0, 0, 0, 0, ...u32le(0), ...u32le(data.length), ...u32le(data.length), ...u16le(name.length), 0, 0, ...name, ...data]
  const central = [...ascii("PK\x01\x02"), ...u16le(20), ...u16le(20), 0, 0, 0, 0, 0, 0, 0, 0, ...u32le(0), ...u32le(data.length), ...u32le(data.length), ...u16le(name.length), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...u32le(0), ...name]
  const eocd = [...ascii("PK\x05\x06"), 0, 0, 0, 0, ...u16le(1), ...u16le(1), ...u32le(central.length), ...u32le(local.length), 0, 0]
  return Uint8Array.from([...local, ...central, ...eocd])
}

export { concat }
