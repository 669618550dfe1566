/**
 * The PII vault port. SSNs, account numbers, government ids and document
 * contents are encrypted before they reach storage and decrypted only when a
 * caller is allowed to see them. A stored value is one key-id byte followed
 * by the encryption token (for the Fernet key ring: the token's ASCII text),
 * so every ciphertext names the key generation that made it.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { PiiDecryptError, type UnknownKeyId } from "./Errors.js"

export const Ciphertext = Schema.Uint8ArrayFromSelf.pipe(Schema.brand("Ciphertext"))
export type Ciphertext = typeof Ciphertext.Type

/** The key id a ciphertext names (its first byte), if it has one. */
export const keyIdOf = (ciphertext: Uint8Array): number | undefined => ciphertext[0]

export class PiiVault extends Context.Tag("@loan-ledger/domain/PiiVault")<PiiVault, {
  /** The id new ciphertexts are made under. */
  readonly currentKeyId: number
  readonly encrypt: (plaintext: Redacted.Redacted<Uint8Array>) => Effect.Effect<Ciphertext>
  readonly decrypt: (
    ciphertext: Uint8Array
  ) => Effect.Effect<Redacted.Redacted<Uint8Array>, PiiDecryptError | UnknownKeyId>
  /**
   * The same plaintext under the current key. A ciphertext already under
   * the current key is returned unchanged (so a rotation can be resumed).
   */
  readonly reencrypt: (ciphertext: Uint8Array) => Effect.Effect<Ciphertext, PiiDecryptError | UnknownKeyId>
}>() {}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder("utf-8", { fatal: true })

export const encryptText = (plaintext: Redacted.Redacted<string>): Effect.Effect<Ciphertext, never, PiiVault> =>
  Effect.flatMap(PiiVault, (vault) => vault.encrypt(Redacted.make(utf8Encoder.encode(Redacted.value(plaintext)))))

export const decryptText = (
  ciphertext: Uint8Array
): Effect.Effect<Redacted.Redacted<string>, PiiDecryptError | UnknownKeyId, PiiVault> =>
  Effect.flatMap(PiiVault, (vault) =>
    Effect.flatMap(vault.decrypt(ciphertext), (bytes) =>
      Effect.try({
        try: () => Redacted.make(utf8Decoder.decode(Redacted.value(bytes))),
        catch: () => new PiiDecryptError({ keyId: keyIdOf(ciphertext) ?? 0, reason: "bad_encoding" })
      })
    ))
