/**
 * The default PiiVault: Fernet under a ring of at most two keys, the current
 * one (`ENCRYPTION_KEY`, id `ENCRYPTION_KEY_ID`, default 1) and optionally
 * the previous one (`ENCRYPTION_KEY_PREVIOUS`, id `ENCRYPTION_KEY_PREVIOUS_ID`,
 * default 0). Each stored value is the key-id byte followed by the token's
 * ASCII text, as in the Phase-1 Python design. A rotation gives the new key
 * a new id and moves the old one to "previous"; values keep naming the key
 * that made them, so any number of rotations stays unambiguous as long as
 * ids are never reused.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { PiiDecryptError, UnknownKeyId } from "./Errors.js"
import * as Fernet from "./Fernet.js"
import { type Ciphertext, PiiVault } from "./PiiVault.js"

export interface KeySpec {
  readonly id: number
  readonly key: Redacted.Redacted<string>
}

export interface KeyRingConfig {
  readonly current: KeySpec
  readonly previous: Option.Option<KeySpec>
}

/** Why a key ring configuration is refused; never includes key material. */
const problems = (config: KeyRingConfig): ReadonlyArray<string> => {
  const out: Array<string> = []
  const checkId = (name: string, id: number) => {
    if (!Number.isInteger(id) || id < 0 || id > 255) out.push(`${name} must be an integer from 0 to 255`)
  }
  checkId("ENCRYPTION_KEY_ID", config.current.id)
  if (Either.isLeft(Fernet.decodeKey(config.current.key))) {
    out.push("ENCRYPTION_KEY must be a Fernet key (url-safe base64 of 32 bytes)")
  }
  if (Option.isSome(config.previous)) {
    const previous = config.previous.value
    checkId("ENCRYPTION_KEY_PREVIOUS_ID", previous.id)
    const decoded = Fernet.decodeKey(previous.key)
    if (Either.isLeft(decoded)) {
      out.push("ENCRYPTION_KEY_PREVIOUS must be a Fernet key (url-safe base64 of 32 bytes)")
    }
    if (previous.id === config.current.id) {
      out.push("ENCRYPTION_KEY_PREVIOUS_ID must differ from ENCRYPTION_KEY_ID")
    }
    const current = Fernet.decodeKey(config.current.key)
    if (Either.isRight(decoded) && Either.isRight(current) && decoded.right.sameAs(current.right)) {
      out.push("ENCRYPTION_KEY_PREVIOUS must differ from ENCRYPTION_KEY")
    }
  }
  return out
}

export const validate = (config: KeyRingConfig): Either.Either<KeyRingConfig, string> => {
  const found = problems(config)
  return found.length === 0 ? Either.right(config) : Either.left(found.join("; "))
}

/** The key ring from the environment (through Effect's Config, so any ConfigProvider works). */
export const config: Config.Config<KeyRingConfig> = Config.all({
  key: Config.redacted("ENCRYPTION_KEY"),
  id: Config.integer("ENCRYPTION_KEY_ID").pipe(Config.withDefault(1)),
  previousKey: Config.option(Config.redacted("ENCRYPTION_KEY_PREVIOUS")),
  previousId: Config.integer("ENCRYPTION_KEY_PREVIOUS_ID").pipe(Config.withDefault(0))
}).pipe(
  Config.mapOrFail(({ id, key, previousId, previousKey }) => {
    const ring: KeyRingConfig = {
      current: { id, key },
      previous: Option.map(previousKey, (k) => ({ id: previousId, key: k }))
    }
    return Either.mapLeft(validate(ring), (message) => ConfigError.InvalidData([], message))
  })
)

const asciiDecoder = new TextDecoder("latin1")

/** Builds the vault; the config must have passed `validate` (else a defect). */
export const make = (ring: KeyRingConfig): Effect.Effect<typeof PiiVault.Service> =>
  Effect.gen(function*() {
    const checked = validate(ring)
    if (Either.isLeft(checked)) return yield* Effect.dieMessage(`invalid key ring: ${checked.left}`)
    const keys = new Map<number, Fernet.FernetKey>()
    const decode = (spec: KeySpec) => Either.getOrThrow(Fernet.decodeKey(spec.key))
    keys.set(ring.current.id, decode(ring.current))
    if (Option.isSome(ring.previous)) keys.set(ring.previous.value.id, decode(ring.previous.value))
    const currentId = ring.current.id
    const currentKey = keys.get(currentId)!

    const encrypt = (plaintext: Redacted.Redacted<Uint8Array>) =>
      Effect.map(Clock.currentTimeMillis, (millis): Ciphertext => {
        const token = Fernet.encrypt(currentKey, Redacted.value(plaintext), { now: Math.floor(millis / 1000) })
        const out = new Uint8Array(1 + token.length)
        out[0] = currentId
        // The token is pure ASCII: one byte per character.
        for (let i = 0; i < token.length; i++) out[i + 1] = token.charCodeAt(i)
        return out as Ciphertext
      })

    const decrypt = (
      ciphertext: Uint8Array
    ): Effect.Effect<Redacted.Redacted<Uint8Array>, PiiDecryptError | UnknownKeyId> =>
      Effect.suspend((): Effect.Effect<Redacted.Redacted<Uint8Array>, PiiDecryptError | UnknownKeyId> => {
        if (ciphertext.length < 2) return Effect.fail(new PiiDecryptError({ reason: "malformed" }))
        const keyId = ciphertext[0]!
        const key = keys.get(keyId)
        if (key === undefined) return Effect.fail(new UnknownKeyId({ keyId }))
        const token = asciiDecoder.decode(ciphertext.subarray(1))
        return Either.match(Fernet.decrypt(key, token), {
          onLeft: (e) =>
            Effect.fail(
              new PiiDecryptError({
                keyId,
                reason: e.reason === "bad_signature" || e.reason === "bad_padding" ? e.reason : "malformed"
              })
            ),
          onRight: (bytes) => Effect.succeed(Redacted.make(bytes))
        })
      })

    const reencrypt = (ciphertext: Uint8Array) =>
      ciphertext[0] === currentId
        // Still verified, so a tampered value is not silently carried along.
        ? Effect.as(decrypt(ciphertext), ciphertext as Ciphertext)
        : Effect.flatMap(decrypt(ciphertext), encrypt)

    return PiiVault.of({ currentKeyId: currentId, encrypt, decrypt, reencrypt })
  })

export const layer = (ring: KeyRingConfig): Layer.Layer<PiiVault> => Layer.effect(PiiVault, make(ring))

/** The vault configured from ENCRYPTION_KEY, ENCRYPTION_KEY_ID, ENCRYPTION_KEY_PREVIOUS(_ID). */
export const layerConfig: Layer.Layer<PiiVault, ConfigError.ConfigError> = Layer.effect(
  PiiVault,
  Effect.flatMap(config, make)
)
