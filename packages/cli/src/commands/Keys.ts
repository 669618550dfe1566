/**
 * `keys create | list | revoke`: the domain's ApiKeys use cases, run by an
 * operator (who acts with reviewer rights and is named in the audit trail)
 * on the runtime role's connection. With no DATABASE_URL they run on the
 * embedded database: the way back in once the 24-hour seed keys expired.
 */
import * as ApiKeyRecord from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import type { ApiKeyId } from "@loan-ledger/domain/Ids"
import * as Pagination from "@loan-ledger/domain/Pagination"
import type { Role } from "@loan-ledger/domain/Role"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Operator from "../Operator.js"

export const create = (options: {
  readonly role: Role
  readonly description: string | undefined
  readonly expiresInDays: number
}) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeys
    const created = yield* keys.create(yield* Operator.current, {
      role: options.role,
      expiresInDays: options.expiresInDays,
      ...(options.description === undefined ? {} : { description: options.description })
    })
    yield* Console.log(`id:          ${created.record.id}`)
    yield* Console.log(`role:        ${created.record.role}`)
    yield* Console.log(`expires at:  ${created.record.expiresAt ?? "never"}`)
    yield* Console.log(`key:         ${Redacted.value(created.key)}`)
    yield* Console.log("The key is shown this once and stored only as an HMAC: keep it now.")
  })

export type KeyStatus = "active" | "expired" | "revoked"

/** One key as `keys list --json` prints it (docs/cli.md); never its hash. */
export interface KeyListing {
  readonly id: string
  readonly role: Role
  readonly description: string | null
  readonly status: KeyStatus
  readonly isActive: boolean
  readonly isSeed: boolean
  readonly expiresAt: string | null
  readonly createdAt: string
}

const statusOf = (record: ApiKeyRecord.ApiKeyRecord, now: Timestamp.Timestamp): KeyStatus =>
  !record.isActive ? "revoked" : ApiKeyRecord.isUsable(record, now) ? "active" : "expired"

export const list = (options: { readonly json: boolean }) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeys
    const operator = yield* Operator.current
    const now = yield* Timestamp.now
    const all: Array<KeyListing> = []
    let cursor = Option.none<string>()
    // Newest first, page by page; a key list is short enough to print whole.
    for (;;) {
      const page = yield* keys.list(operator, { cursor, limit: Pagination.MAX_LIMIT })
      for (const record of page.items) {
        all.push({
          id: record.id,
          role: record.role,
          description: record.description,
          status: statusOf(record, now),
          isActive: record.isActive,
          isSeed: record.isSeed,
          expiresAt: record.expiresAt,
          createdAt: record.createdAt
        })
      }
      if (!page.hasMore || Option.isNone(page.nextCursor)) break
      cursor = page.nextCursor
    }
    if (options.json) return yield* Console.log(JSON.stringify({ keys: all }))
    if (all.length === 0) return yield* Console.log("no API keys")
    for (const k of all) {
      yield* Console.log(
        [k.id, k.role.padEnd(18), k.status.padEnd(7), k.isSeed ? "seed" : "    ", `expires ${k.expiresAt ?? "never"}`, k.description ?? ""]
          .join("  ")
      )
    }
  })

export const revoke = (id: ApiKeyId) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeys
    const record = yield* keys.revoke(yield* Operator.current, id)
    yield* Console.log(`revoked key ${record.id} (${record.role}); it can no longer authenticate`)
  })
