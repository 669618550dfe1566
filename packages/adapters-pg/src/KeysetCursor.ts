/**
 * Opaque keyset cursors (base64url, so they fit Pagination.Cursor) and the
 * page bookkeeping around them: fetch `limit + 1` rows, return `limit`, and
 * `hasMore` tells whether the extra row was there.
 *
 * Two kinds: `created_at:id` for lists ordered by creation (the timestamp in
 * canonical text with all six fractional digits, so the next page starts
 * exactly after the last row even when rows share a millisecond), and a
 * bare event id for the audit trail.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ValidationError } from "@loan-ledger/domain/Errors"
import { AuditEventId } from "@loan-ledger/domain/Ids"
import { MAX_LIMIT, type Page, type PageRequest } from "@loan-ledger/domain/Pagination"
import { Timestamp } from "@loan-ledger/domain/Timestamp"

const invalid = () => ValidationError.single("cursor", "is not a valid cursor")

const toText = (cursor: string): Either.Either<string, ValidationError> => {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return Either.left(invalid())
  return Either.right(Buffer.from(cursor, "base64url").toString("utf8"))
}

const fromText = (text: string): string => Buffer.from(text, "utf8").toString("base64url")

export interface TimeAndId {
  readonly createdAt: Timestamp
  readonly id: string
}

const isTimestamp = Schema.is(Timestamp)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const encodeTimeAndId = (key: TimeAndId): string => fromText(`${key.createdAt}:${key.id}`)

export const decodeTimeAndId = (cursor: string): Either.Either<TimeAndId, ValidationError> =>
  Either.flatMap(toText(cursor), (text) => {
    const at = text.lastIndexOf(":")
    const createdAt = text.slice(0, at)
    const id = text.slice(at + 1)
    return at > 0 && isTimestamp(createdAt) && UUID.test(id) ? Either.right({ createdAt, id }) : Either.left(invalid())
  })

const isEventId = Schema.is(AuditEventId)

export const encodeEventId = (id: AuditEventId): string => fromText(id)

export const decodeEventId = (cursor: string): Either.Either<AuditEventId, ValidationError> =>
  Either.flatMap(toText(cursor), (text) => (isEventId(text) ? Either.right(text) : Either.left(invalid())))

/** The limit of a page request, checked (shells check it too; the adapter does not trust them). */
export const checkLimit = (page: PageRequest, max: number = MAX_LIMIT): Either.Either<number, ValidationError> =>
  Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= max
    ? Either.right(page.limit)
    : Either.left(ValidationError.single("limit", `must be an integer from 1 to ${max}`))

/** The cursor of a request decoded, or none for the first page. */
export const decodeRequest = <K>(
  page: PageRequest,
  decode: (cursor: string) => Either.Either<K, ValidationError>
): Either.Either<Option.Option<K>, ValidationError> =>
  Option.match(page.cursor, {
    onNone: () => Either.right(Option.none()),
    onSome: (cursor) => Either.map(decode(cursor), Option.some)
  })

/** A page from `limit + 1` fetched items. */
export const toPage = <A>(fetched: ReadonlyArray<A>, limit: number, cursorOf: (last: A) => string): Page<A> => {
  const items = fetched.slice(0, limit)
  const hasMore = fetched.length > limit
  const last = items[items.length - 1]
  return {
    items,
    hasMore,
    nextCursor: hasMore && last !== undefined ? Option.some(cursorOf(last)) : Option.none()
  }
}
