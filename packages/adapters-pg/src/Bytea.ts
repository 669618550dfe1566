/**
 * `bytea` columns as the domain's `Ciphertext`. `pg` hands back a Node
 * `Buffer`, often a slice of a shared allocation pool; the domain speaks
 * plain `Uint8Array`. Decoding copies the bytes into an array of their own,
 * so a ciphertext neither keeps unrelated pooled memory alive nor compares,
 * prints or serialises differently from the one that was written.
 */
import * as Schema from "effect/Schema"
import { Ciphertext } from "@loan-ledger/domain/PiiVault"

export const CiphertextFromBytea = Schema.transform(Schema.Uint8ArrayFromSelf, Ciphertext, {
  strict: true,
  decode: (bytes) => Ciphertext.make(new Uint8Array(bytes)),
  encode: (ciphertext) => ciphertext
})
