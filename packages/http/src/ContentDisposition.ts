/**
 * `Content-Disposition: attachment` for downloads (RFC 6266). The stored
 * filename is already sanitised, but the header is built as if it were
 * hostile: the quoted ASCII fallback can hold no quote, backslash or control
 * character (so no header injection and no early end of the parameter), and
 * the exact name travels percent-encoded in `filename*` (RFC 8187).
 */

const FALLBACK = "document"

/** Printable ASCII except the characters that end or escape a quoted-string. */
const asciiFallback = (name: string): string => {
  const safe = Array.from(name, (c) => {
    const code = c.codePointAt(0)!
    return code >= 0x20 && code < 0x7f && c !== '"' && c !== "\\" && c !== "%" ? c : "_"
  }).join("").trim()
  return safe.length === 0 || /^[._]+$/.test(safe) ? FALLBACK : safe
}

// RFC 8187 attr-char; everything else is percent-encoded from UTF-8.
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/

const extValue = (name: string): string =>
  Array.from(new TextEncoder().encode(name), (byte) => {
    const c = String.fromCharCode(byte)
    return byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }).join("")

/** The header value for downloading `filename` as an attachment. */
export const attachment = (filename: string): string => {
  // Lone surrogates have no UTF-8 form; TextEncoder replaces them with U+FFFD.
  const name = filename
  const fallback = asciiFallback(name)
  const encoded = extValue(name.length === 0 ? FALLBACK : name)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
