import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Fernet, FernetKeyRing, Pii, PiiVault } from "../src/index.js"

const K0 = Fernet.generateKey()
const K1 = Fernet.generateKey()
const K2 = Fernet.generateKey()
const K3 = Fernet.generateKey()

const vaultOf = (current: FernetKeyRing.KeySpec, previous?: FernetKeyRing.KeySpec) =>
  FernetKeyRing.make({ current, previous: Option.fromNullable(previous) })

const bytes = (text: string) => Redacted.make(new TextEncoder().encode(text))
const text = (r: Redacted.Redacted<Uint8Array>) => new TextDecoder().decode(Redacted.value(r))

describe("FernetKeyRing", () => {
  it.effect("stores one key-id byte followed by the Fernet token text", () =>
    Effect.gen(function*() {
      const vault = yield* vaultOf({ id: 1, key: K1 })
      const ciphertext = yield* vault.encrypt(bytes("900-12-3456"))
      expect(ciphertext[0]).toBe(1)
      const token = Buffer.from(ciphertext.subarray(1)).toString("ascii")
      expect(token).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/)
      // The token alone is a valid Fernet token under K1 (Phase-1 Python interop).
      const key = Either.getOrThrow(Fernet.decodeKey(K1))
      expect(Either.map(Fernet.decrypt(key, token), (b) => new TextDecoder().decode(b))).toEqual(Either.right("900-12-3456"))
      expect(text(yield* vault.decrypt(ciphertext))).toBe("900-12-3456")
    }))

  it.effect("rotates twice: old ciphertexts decrypt by their key id, new ones name the new id, re-encryption moves them", () =>
    Effect.gen(function*() {
      // Generation 1: K1 is current (id 1).
      const v1 = yield* vaultOf({ id: 1, key: K1 })
      const underK1 = yield* v1.encrypt(bytes("account 1234"))
      expect(underK1[0]).toBe(1)

      // First rotation: K2 (id 2) current, K1 (id 1) previous.
      const v2 = yield* vaultOf({ id: 2, key: K2 }, { id: 1, key: K1 })
      expect(text(yield* v2.decrypt(underK1))).toBe("account 1234")
      const underK2 = yield* v2.encrypt(bytes("new value"))
      expect(underK2[0]).toBe(2)
      const moved = yield* v2.reencrypt(underK1)
      expect(moved[0]).toBe(2)
      expect(text(yield* v2.decrypt(moved))).toBe("account 1234")
      expect(yield* v2.reencrypt(moved)).toBe(moved) // already current: unchanged

      // Second rotation: K3 (id 3) current, K2 (id 2) previous; K1 is gone.
      const v3 = yield* vaultOf({ id: 3, key: K3 }, { id: 2, key: K2 })
      expect(text(yield* v3.decrypt(moved))).toBe("account 1234")
      expect(text(yield* v3.decrypt(underK2))).toBe("new value")
      const movedAgain = yield* v3.reencrypt(moved)
      expect(movedAgain[0]).toBe(3)
      expect(text(yield* v3.decrypt(movedAgain))).toBe("account 1234")
      expect((yield* v3.encrypt(bytes("x")))[0]).toBe(3)

      // A value never re-encrypted after the first rotation names a key no longer configured.
      const lost = yield* Effect.flip(v3.decrypt(underK1))
      expect(lost).toMatchObject({ _tag: "UnknownKeyId", keyId: 1 })
      expect(lost.message).toBe("encryption key id 1 is not configured")
    }))

  it.effect("rejects a wrong key, truncation and bit flips with typed errors that never print plaintext", () =>
    Effect.gen(function*() {
      const secret = "900-55-1234 very secret"
      const vault = yield* vaultOf({ id: 1, key: K1 })
      const ciphertext = yield* vault.encrypt(bytes(secret))

      // The same id configured with another key.
      const impostor = yield* vaultOf({ id: 1, key: K0 })
      const wrongKey = yield* Effect.flip(impostor.decrypt(ciphertext))
      expect(wrongKey).toMatchObject({ _tag: "PiiDecryptError", keyId: 1, reason: "bad_signature" })

      const truncations = [ciphertext.subarray(0, 1), ciphertext.subarray(0, 40), ciphertext.subarray(0, ciphertext.length - 4)]
      const flips = [5, 20, 40, ciphertext.length - 2].map((i) => {
        const copy = Uint8Array.from(ciphertext)
        copy[i] = copy[i]! ^ 0x01
        return copy
      })
      for (const bad of [...truncations, ...flips, new Uint8Array()]) {
        const error = yield* Effect.flip(vault.decrypt(bad))
        expect(["PiiDecryptError", "UnknownKeyId"]).toContain(error._tag)
        for (const shown of [error.message, JSON.stringify(error), String(error)]) {
          expect(shown).not.toContain(secret)
          expect(shown).not.toContain("900-55")
        }
      }
      // Decrypted values print as <redacted>.
      const plain = yield* vault.decrypt(ciphertext)
      expect(String(plain)).toBe("<redacted>")
      expect(JSON.stringify({ plain })).not.toContain("900")
    }))

  it.effect("handles large values: five account numbers, a long government id, a 20 MiB document", () =>
    Effect.gen(function*() {
      const vault = yield* vaultOf({ id: 7, key: K1 })
      const accounts = JSON.stringify(["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300", "12345678901234567890123456789012"])
      const govId = "P<UTOERIKSSON<<ANNA<MARIA".repeat(8).slice(0, 200)
      for (const value of [accounts, govId]) {
        expect(text(yield* vault.decrypt(yield* vault.encrypt(bytes(value))))).toBe(value)
      }
      const doc = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 31) & 0xff)
      const back = yield* vault.decrypt(yield* vault.encrypt(Redacted.make(doc)))
      expect(Buffer.from(Redacted.value(back)).equals(Buffer.from(doc))).toBe(true)
    }), { timeout: 60_000 })

  it.effect("encrypts and decrypts text through the port helpers", () =>
    Effect.gen(function*() {
      const ciphertext = yield* PiiVault.encryptText(Redacted.make("900-12-3456"))
      const back = yield* PiiVault.decryptText(ciphertext)
      expect(Redacted.value(back)).toBe("900-12-3456")
      expect(Pii.maskSsn(Pii.ssnLast4(back))).toBe("***-**-3456")
    }).pipe(Effect.provide(FernetKeyRing.layer({ current: { id: 1, key: K1 }, previous: Option.none() }))))

  const withEnv = (env: Record<string, string>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("reads its keys from Config with default ids 1 and 0", () =>
    Effect.gen(function*() {
      const vault = yield* PiiVault.PiiVault
      expect(vault.currentKeyId).toBe(1)
      const old = yield* vaultOf({ id: 0, key: K0 })
      const underPrevious = yield* old.encrypt(bytes("x"))
      expect(text(yield* vault.decrypt(underPrevious))).toBe("x")
    }).pipe(Effect.provide(FernetKeyRing.layerConfig.pipe(
      Layer.provide(withEnv({ ENCRYPTION_KEY: Redacted.value(K1), ENCRYPTION_KEY_PREVIOUS: Redacted.value(K0) }))
    ))))

  it.effect("refuses bad configurations without printing keys", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<Record<string, string>> = [
        {},
        { ENCRYPTION_KEY: "not-a-key" },
        { ENCRYPTION_KEY: Redacted.value(K1), ENCRYPTION_KEY_ID: "256" },
        { ENCRYPTION_KEY: Redacted.value(K1), ENCRYPTION_KEY_PREVIOUS: Redacted.value(K2), ENCRYPTION_KEY_PREVIOUS_ID: "1" },
        { ENCRYPTION_KEY: Redacted.value(K1), ENCRYPTION_KEY_ID: "2", ENCRYPTION_KEY_PREVIOUS: Redacted.value(K1) }
      ]
      for (const env of cases) {
        const exit = yield* Effect.exit(Layer.build(FernetKeyRing.layerConfig.pipe(Layer.provide(withEnv(env)))).pipe(Effect.scoped))
        expect(Exit.isFailure(exit), JSON.stringify(Object.keys(env))).toBe(true)
        const shown = JSON.stringify(exit) + String(exit)
        for (const key of [K1, K2]) expect(shown).not.toContain(Redacted.value(key))
      }
    }))
})
