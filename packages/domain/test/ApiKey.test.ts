import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Layer from "effect/Layer"
import * as Exit from "effect/Exit"
import { createHmac } from "node:crypto"
import { ApiKey, Hmac, Role } from "../src/index.js"
import { TEST_HMAC_SECRET } from "./support/TestLayer.js"

describe("ApiKey", () => {
  it("generates ak_<lo|su|rv>_ plus 43 base64url characters from 32 random bytes", () => {
    for (const role of Role.all) {
      const key = Redacted.value(ApiKey.generate(role))
      expect(key).toMatch(new RegExp(`^ak_${Role.prefixOf(role)}_[A-Za-z0-9_-]{43}$`))
      expect(Buffer.from(key.slice(6), "base64url").length).toBe(32)
    }
    const many = new Set(Array.from({ length: 200 }, () => Redacted.value(ApiKey.generate("reviewer"))))
    expect(many.size).toBe(200)
  })

  it("prints as <redacted>", () => {
    expect(String(ApiKey.generate("reviewer"))).toBe("<redacted>")
  })

  it.effect("hashes with HMAC-SHA256 under HMAC_SECRET_KEY, in hex", () =>
    Effect.gen(function*() {
      const key = ApiKey.generate("loan_officer")
      const hash = yield* ApiKey.hash(key)
      expect(hash).toBe(createHmac("sha256", Redacted.value(TEST_HMAC_SECRET)).update(Redacted.value(key)).digest("hex"))
    }).pipe(Effect.provide(Hmac.Hmac.fromSecret(TEST_HMAC_SECRET))))

  it("compares hashes in constant time (and correctly)", () => {
    const a = "a".repeat(64)
    expect(ApiKey.hashesEqual(a, a)).toBe(true)
    expect(ApiKey.hashesEqual(a, "b" + a.slice(1))).toBe(false)
    expect(ApiKey.hashesEqual(a, a.slice(1))).toBe(false)
  })

  it("parses Bearer <role>:<key> and Bearer <key>; the role is only a hint", () => {
    const key = Redacted.value(ApiKey.generate("loan_officer"))
    const plain = Either.getOrThrow(ApiKey.parseAuthorization(`Bearer ${key}`))
    expect(Redacted.value(plain.key)).toBe(key)
    expect(plain.roleHint).toEqual(Option.none())
    // A claim of a higher role parses, but only as a hint the use case ignores.
    const hinted = Either.getOrThrow(ApiKey.parseAuthorization(`bearer reviewer:${key}`))
    expect(Redacted.value(hinted.key)).toBe(key)
    expect(hinted.roleHint).toEqual(Option.some("reviewer"))
    expect(ApiKey.prefixRole(hinted.key)).toEqual(Option.some("loan_officer"))
  })

  it.each([
    [undefined, "missing"],
    ["", "missing"],
    ["Basic dXNlcjpwYXNz", "malformed"],
    ["Bearer", "malformed"],
    ["Bearer ak_lo_short", "malformed"],
    ["Bearer admin:ak_lo_" + "a".repeat(43), "malformed"],
    ["Bearer ak_xx_" + "a".repeat(43), "malformed"],
    ["Bearer ak_lo_" + "a".repeat(43) + " extra", "malformed"]
  ])("rejects %j as %s", (header, reason) => {
    expect(ApiKey.parseAuthorization(header)).toEqual(Either.left(expect.objectContaining({ _tag: "Unauthenticated", reason })))
  })

  it.effect("requires HMAC_SECRET_KEY of at least 32 characters from Config", () =>
    Effect.gen(function*() {
      const build = (secret: string) =>
        Effect.exit(Effect.scoped(Layer.build(Hmac.Hmac.Default.pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["HMAC_SECRET_KEY", secret]]))))
        ))))
      const short = yield* build("too-short")
      expect(Exit.isFailure(short)).toBe(true)
      expect(String(short)).not.toContain("too-short")
      expect(Exit.isSuccess(yield* build("x".repeat(32)))).toBe(true)
    }))
})
