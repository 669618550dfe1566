/**
 * Small, real documents for the seed, generated in code so that the bytes
 * are reviewable, deterministic (the same run after run) and free of any
 * third-party content: a one-page PDF with text, a PNG and a baseline JPEG.
 * Each is a well-formed file of its type, as an upload would be.
 */
import { crc32 } from "@loan-ledger/domain/DocumentContent"
import * as Zlib from "node:zlib"

const ascii = (text: string) => Buffer.from(text, "latin1")

// PDF ---------------------------------------------------------------------------

/** PDF string literal escaping: backslash, parentheses; only printable ASCII is used. */
const pdfText = (line: string) => line.replace(/[^\x20-\x7e]/g, "?").replace(/([\\()])/g, "\\$1")

/**
 * A one-page US Letter PDF 1.4 with Helvetica text lines and a correct
 * cross-reference table (byte offsets computed, not guessed).
 */
export const pdf = (title: string, lines: ReadonlyArray<string>): Uint8Array => {
  const body = [
    "BT",
    "/F1 16 Tf",
    "72 720 Td",
    `(${pdfText(title)}) Tj`,
    "/F1 11 Tf",
    "0 -28 Td",
    ...lines.flatMap((line) => [`(${pdfText(line)}) Tj`, "0 -16 Td"]),
    "ET"
  ].join("\n")
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Length ${Buffer.byteLength(body, "latin1")} >>\nstream\n${body}\nendstream`,
    `<< /Title (${pdfText(title)}) /Producer (loan-ledger seed) >>`
  ]
  // The binary comment line marks the file as binary for transfer tools, as writers customarily do.
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
  const offsets: Array<number> = []
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"))
    out += `${i + 1} 0 obj\n${object}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, "latin1")
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) out += `${offset.toString().padStart(10, "0")} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new Uint8Array(ascii(out))
}

// PNG ---------------------------------------------------------------------------

const pngChunk = (type: string, data: Uint8Array): Buffer => {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, "latin1")
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

export type Rgb = readonly [number, number, number]

/** An 8-bit RGB PNG whose pixel (x, y) is `paint(x, y)`. */
export const png = (width: number, height: number, paint: (x: number, y: number) => Rgb): Uint8Array => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // depth 8, colour type RGB, deflate, adaptive filtering, no interlace
  const raw = Buffer.alloc(height * (1 + width * 3))
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3)
    raw[row] = 0 // filter: none
    for (let x = 0; x < width; x++) raw.set(paint(x, y), row + 1 + x * 3)
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", Zlib.deflateSync(raw, { level: 9 })),
      pngChunk("IEND", new Uint8Array(0))
    ])
  )
}

// JPEG --------------------------------------------------------------------------

/** The standard luminance DC table (ITU-T T.81 Annex K.3). */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

/** Canonical Huffman codes from a BITS/HUFFVAL pair (T.81 Annex C). */
const huffmanCodes = (bits: ReadonlyArray<number>, values: ReadonlyArray<number>) => {
  const codes = new Map<number, { code: number; length: number }>()
  let code = 0
  let k = 0
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]!; i++) codes.set(values[k++]!, { code: code++, length })
    code <<= 1
  }
  return codes
}

class BitWriter {
  private readonly bytes: Array<number> = []
  private current = 0
  private filled = 0
  write(value: number, length: number) {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1)
      if (++this.filled === 8) this.flushByte()
    }
  }
  private flushByte() {
    this.bytes.push(this.current)
    if (this.current === 0xff) this.bytes.push(0x00) // byte stuffing
    this.current = 0
    this.filled = 0
  }
  finish(): Array<number> {
    if (this.filled > 0) this.write(0x7f, 8 - this.filled) // pad with one-bits
    return this.bytes
  }
}

const segment = (marker: number, payload: ReadonlyArray<number>) => {
  const length = payload.length + 2
  return [0xff, marker, length >> 8, length & 0xff, ...payload]
}

/**
 * A baseline greyscale JFIF whose 8x8 blocks are flat shades: `shade(bx, by)`
 * (0-255) for block column bx, row by. Only DC coefficients are coded (every
 * block ends with EOB), which any decoder reads; quantisation is 1 throughout.
 */
export const jpeg = (blocksWide: number, blocksHigh: number, shade: (bx: number, by: number) => number): Uint8Array => {
  const dcCodes = huffmanCodes(DC_BITS, DC_VALUES)
  // An AC table holding only EOB (0x00): one code of length 1.
  const acBits = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  const acValues = [0x00]
  const eob = huffmanCodes(acBits, acValues).get(0x00)!
  const writer = new BitWriter()
  let previous = 0
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      // DC of a flat block with level-shifted value s is 8 * s (orthonormal 2-D DCT).
      const dc = 8 * (Math.max(0, Math.min(255, Math.round(shade(bx, by)))) - 128)
      const diff = dc - previous
      previous = dc
      const magnitude = Math.abs(diff)
      const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1
      const { code, length } = dcCodes.get(category)!
      writer.write(code, length)
      if (category > 0) writer.write(diff > 0 ? diff : diff + (1 << category) - 1, category)
      writer.write(eob.code, eob.length)
    }
  }
  const width = blocksWide * 8
  const height = blocksHigh * 8
  return new Uint8Array([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 1, 0, 72, 0, 72, 0, 0]), // JFIF 1.01, 72 dpi
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]),
    ...segment(0xc4, [0x10, ...acBits, ...acValues]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...writer.finish(),
    0xff, 0xd9
  ])
}
