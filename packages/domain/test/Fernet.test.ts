import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { Fernet } from "../src/index.js"

// Copied verbatim from ../shared/fixtures/fernet (the fernet/spec vectors).
interface Vector {
  readonly desc?: string
  readonly token: string
  readonly now: string
  readonly iv?: ReadonlyArray<number>
  readonly src?: string
  readonly ttl_sec?: number
  readonly secret: string
}

const load = (name: string): ReadonlyArray<Vector> =>
  JSON.parse(readFileSync(new URL(`./fixtures/fernet/${name}.json`, import.meta.url), "utf8"))

const seconds = (iso: string) => Date.parse(iso) / 1000
const keyOf = (secret: string) => Either.getOrThrow(Fernet.decodeKey(Redacted.make(secret)))

describe("Fernet (spec vectors)", () => {
  it.each(load("generate"))("generates the spec token for %#", (v) => {
    const token = Fernet.encrypt(keyOf(v.secret), new TextEncoder().encode(v.src), {
      now: seconds(v.now),
      iv: Uint8Array.from(v.iv!)
    })
    expect(token).toBe(v.token)
  })

  it.each(load("verify"))("verifies the spec token %#", (v) => {
    const plain = Fernet.decrypt(keyOf(v.secret), v.token, { ttlSeconds: v.ttl_sec!, now: seconds(v.now) })
    expect(Either.map(plain, (b) => new TextDecoder().decode(b))).toEqual(Either.right(v.src))
  })

  const reasons: Record<string, Fernet.TokenProblem> = {
    "incorrect mac": "bad_signature",
    "too short": "too_short",
    "invalid base64": "malformed",
    "payload size not multiple of block size": "too_short",
    "payload padding error": "bad_padding",
    "far-future TS (unacceptable clock skew)": "from_the_future",
    "expired TTL": "expired",
    "incorrect IV (causes padding error)": "bad_padding"
  }

  it.each(load("invalid").map((v) => [v.desc!, v] as const))("rejects %s", (desc, v) => {
    const result = Fernet.decrypt(keyOf(v.secret), v.token, { ttlSeconds: v.ttl_sec!, now: seconds(v.now) })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("InvalidToken")
      expect(result.left.reason).toBe(reasons[desc])
    }
  })

  it("without a TTL the timestamp is not checked (stored PII never expires)", () => {
    const v = load("verify")[0]!
    const plain = Fernet.decrypt(keyOf(v.secret), v.token)
    expect(Either.isRight(plain)).toBe(true)
  })

  it("rejects keys that are not 32 bytes of url-safe base64", () => {
    for (const key of ["", "short", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4", "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4="]) {
      expect(Either.isLeft(Fernet.decodeKey(Redacted.make(key)))).toBe(true)
    }
  })

  it("never prints key material", () => {
    const key = keyOf(load("verify")[0]!.secret)
    expect(String(key)).toBe("FernetKey(<redacted>)")
    expect(JSON.stringify({ key })).toBe(`{"key":"FernetKey(<redacted>)"}`)
  })

  it("round-trips large values: 20 MiB", () => {
    const key = keyOf(Redacted.value(Fernet.generateKey()))
    const big = new Uint8Array(20 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251
    const token = Fernet.encrypt(key, big, { now: 0 })
    const back = Either.getOrThrow(Fernet.decrypt(key, token))
    expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true)
  })
})
