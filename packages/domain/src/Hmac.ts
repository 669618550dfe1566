/**
 * HMAC-SHA256 under the server secret `HMAC_SECRET_KEY`. API keys are
 * stored as this HMAC, and `input_data_hash` / document fingerprints use it
 * too: a plain hash of low-entropy PII (an SSN) could be reversed by trying
 * every value, a keyed hash cannot without the secret.
 */
import { createHmac } from "node:crypto"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

export const MIN_SECRET_LENGTH = 32

export const secretConfig: Config.Config<Redacted.Redacted<string>> = Config.redacted("HMAC_SECRET_KEY").pipe(
  Config.validate({
    message: `HMAC_SECRET_KEY must be at least ${MIN_SECRET_LENGTH} characters`,
    validation: (secret) => Redacted.value(secret).length >= MIN_SECRET_LENGTH
  })
)

const makeSigner = (secret: Redacted.Redacted<string>) => {
  if (Redacted.value(secret).length < MIN_SECRET_LENGTH) {
    throw new RangeError(`HMAC_SECRET_KEY must be at least ${MIN_SECRET_LENGTH} characters`)
  }
  return {
    /** Lower-case hex HMAC-SHA256 of `data` (strings as UTF-8). */
    sign: (data: Uint8Array | string): string =>
      createHmac("sha256", Redacted.value(secret)).update(data).digest("hex")
  } as const
}

export class Hmac extends Effect.Service<Hmac>()("@loan-ledger/domain/Hmac", {
  effect: Effect.map(secretConfig, makeSigner)
}) {
  /** A layer from a secret already in hand (tests, shells that read it elsewhere). */
  static fromSecret(secret: Redacted.Redacted<string>): Layer.Layer<Hmac> {
    return Layer.sync(Hmac, () => Hmac.make(makeSigner(secret)))
  }
}
