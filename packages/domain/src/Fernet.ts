/**
 * The Fernet token format (https://github.com/fernet/spec), byte-compatible
 * with Python's `cryptography.fernet` so stored PII moves between the
 * Phase-1 Python design and this code:
 *
 *   0x80 | timestamp (u64 BE seconds) | IV (16) | AES-128-CBC(PKCS7) | HMAC-SHA256 (32)
 *
 * base64url with padding. The key is 32 bytes (url-safe base64): the first
 * half signs, the second encrypts. The TTL and clock-skew checks run only
 * when a TTL is given: stored PII never expires.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const VERSION = 0x80
const MAX_CLOCK_SKEW_SECONDS = 60
const HEADER = 1 + 8 + 16
const MAC = 32
const BLOCK = 16

/** A decoded key. Its bytes are kept out of every string form. */
export class FernetKey {
  readonly #signing: Buffer
  readonly #encryption: Buffer
  constructor(bytes: Uint8Array) {
    this.#signing = Buffer.from(bytes.subarray(0, 16))
    this.#encryption = Buffer.from(bytes.subarray(16, 32))
  }
  /** @internal */
  get signingKey(): Buffer {
    return this.#signing
  }
  /** @internal */
  get encryptionKey(): Buffer {
    return this.#encryption
  }
  /** True when both keys are the same bytes (used to refuse one key under two ids). */
  sameAs(that: FernetKey): boolean {
    return this.#signing.equals(that.#signing) && this.#encryption.equals(that.#encryption)
  }
  toString(): string {
    return "FernetKey(<redacted>)"
  }
  toJSON(): string {
    return "FernetKey(<redacted>)"
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "FernetKey(<redacted>)"
  }
}

export class InvalidFernetKey extends Schema.TaggedError<InvalidFernetKey>()("InvalidFernetKey", {}) {
  override get message(): string {
    return "a Fernet key must be 32 bytes in url-safe base64"
  }
}

export const TokenProblem = Schema.Literal(
  "malformed",
  "too_short",
  "bad_version",
  "expired",
  "from_the_future",
  "bad_signature",
  "bad_padding"
)
export type TokenProblem = typeof TokenProblem.Type

/** Any invalid token. Never carries the token or the plaintext. */
export class InvalidToken extends Schema.TaggedError<InvalidToken>()("InvalidToken", {
  reason: TokenProblem
}) {
  override get message(): string {
    return `invalid Fernet token (${this.reason})`
  }
}

const URLSAFE_PADDED = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Strict url-safe base64: Node's decoder skips characters it does not know,
 * so the text is checked first and must be the canonical encoding of what
 * it decodes to.
 */
const decodeBase64Url = (text: string): Buffer | undefined => {
  if (text.length % 4 !== 0 || !URLSAFE_PADDED.test(text)) return undefined
  const bytes = Buffer.from(text, "base64url")
  return encodeBase64Url(bytes) === text ? bytes : undefined
}

const encodeBase64Url = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString("base64").replace(/\+/g, "-").replace(/\//g, "_")

export const decodeKey = (key: Redacted.Redacted<string>): Either.Either<FernetKey, InvalidFernetKey> => {
  const bytes = decodeBase64Url(Redacted.value(key))
  return bytes === undefined || bytes.length !== 32
    ? Either.left(new InvalidFernetKey())
    : Either.right(new FernetKey(bytes))
}

export const generateKey = (): Redacted.Redacted<string> => Redacted.make(encodeBase64Url(randomBytes(32)))

export interface EncryptOptions {
  /** Seconds since the epoch written into the token. */
  readonly now: number
  /** Only for the spec's fixed-IV vectors; a fresh random IV otherwise. */
  readonly iv?: Uint8Array
}

export const encrypt = (key: FernetKey, plaintext: Uint8Array, options: EncryptOptions): string => {
  const iv = options.iv === undefined ? randomBytes(16) : Buffer.from(options.iv)
  const cipher = createCipheriv("aes-128-cbc", key.encryptionKey, iv)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const header = Buffer.alloc(HEADER)
  header[0] = VERSION
  header.writeBigUInt64BE(BigInt(Math.floor(options.now)), 1)
  iv.copy(header, 9)
  const signed = Buffer.concat([header, body])
  const mac = createHmac("sha256", key.signingKey).update(signed).digest()
  return encodeBase64Url(Buffer.concat([signed, mac]))
}

export interface DecryptOptions {
  /** Token lifetime; when given, `now` is required and the clock-skew check applies too. */
  readonly ttlSeconds?: number
  readonly now?: number
}

export const decrypt = (
  key: FernetKey,
  token: string,
  options: DecryptOptions = {}
): Either.Either<Uint8Array, InvalidToken> => {
  const fail = (reason: TokenProblem) => Either.left(new InvalidToken({ reason }))
  const data = decodeBase64Url(token)
  if (data === undefined) return fail("malformed")
  if (data.length < HEADER + BLOCK + MAC) return fail("too_short")
  if (data[0] !== VERSION) return fail("bad_version")
  if ((data.length - HEADER - MAC) % BLOCK !== 0) return fail("malformed")
  // Same order as the reference implementation: time, then signature.
  if (options.ttlSeconds !== undefined) {
    const now = options.now ?? Date.now() / 1000
    const timestamp = Number(data.readBigUInt64BE(1))
    if (timestamp + options.ttlSeconds < now) return fail("expired")
    if (now + MAX_CLOCK_SKEW_SECONDS < timestamp) return fail("from_the_future")
  }
  const signed = data.subarray(0, data.length - MAC)
  const expected = createHmac("sha256", key.signingKey).update(signed).digest()
  if (!timingSafeEqual(expected, data.subarray(data.length - MAC))) return fail("bad_signature")
  try {
    const decipher = createDecipheriv("aes-128-cbc", key.encryptionKey, data.subarray(9, HEADER))
    return Either.right(Buffer.concat([decipher.update(data.subarray(HEADER, data.length - MAC)), decipher.final()]))
  } catch {
    return fail("bad_padding")
  }
}
