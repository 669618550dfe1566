/**
 * API keys: `ak_<lo|su|rv>_` followed by 43 base64url characters (32 random
 * bytes). The plaintext is shown once; the database keeps its HMAC. The role
 * prefix, and the `<role>:` part of the Authorization header, are hints for
 * humans and never grant anything: the role comes from the stored record.
 */
import { randomBytes, timingSafeEqual } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { KeyHash } from "./ApiKeyRecord.js"
import { Unauthenticated } from "./Errors.js"
import { Hmac } from "./Hmac.js"
import { all as allRoles, fromPrefix, prefixOf, type Role } from "./Role.js"

export const FORMAT = /^ak_(lo|su|rv)_[A-Za-z0-9_-]{43}$/

/** A new key for `role`; the only moment its plaintext exists. */
export const generate = (role: Role): Redacted.Redacted<string> =>
  Redacted.make(`ak_${prefixOf(role)}_${randomBytes(32).toString("base64url")}`)

export const isWellFormed = (key: Redacted.Redacted<string>): boolean => FORMAT.test(Redacted.value(key))

/** The role a key's prefix suggests. A hint only. */
export const prefixRole = (key: Redacted.Redacted<string>): Option.Option<Role> => {
  const match = FORMAT.exec(Redacted.value(key))
  return match === null ? Option.none() : Option.fromNullable(fromPrefix(match[1]!))
}

export const hash = (key: Redacted.Redacted<string>): Effect.Effect<KeyHash, never, Hmac> =>
  Effect.map(Hmac, (hmac) => hmac.sign(Redacted.value(key)) as KeyHash)

/** Constant-time equality of two hex hashes. */
export const hashesEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  return x.length === y.length && timingSafeEqual(x, y)
}

export interface Credential {
  readonly key: Redacted.Redacted<string>
  /** The role the caller claims (`Bearer <role>:<key>`); never trusted. */
  readonly roleHint: Option.Option<Role>
}

const BEARER = /^bearer +(?:([a-z_]+):)?(\S+)$/i

/**
 * Reads `Authorization: Bearer <role>:<key>` or `Bearer <key>`. The scheme
 * is case-insensitive (RFC 9110); the key must have the exact key format.
 */
export const parseAuthorization = (header: string | null | undefined): Either.Either<Credential, Unauthenticated> => {
  if (header === null || header === undefined || header.trim() === "") {
    return Either.left(new Unauthenticated({ reason: "missing" }))
  }
  const match = BEARER.exec(header.trim())
  if (match === null) return Either.left(new Unauthenticated({ reason: "malformed" }))
  const [, role, key] = match
  const roleHint = role === undefined ? undefined : allRoles.find((r) => r === role)
  if (role !== undefined && roleHint === undefined) return Either.left(new Unauthenticated({ reason: "malformed" }))
  if (!FORMAT.test(key!)) return Either.left(new Unauthenticated({ reason: "malformed" }))
  return Either.right({ key: Redacted.make(key!), roleHint: Option.fromNullable(roleHint) })
}
