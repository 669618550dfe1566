/**
 * Keyset pagination. Cursors are opaque strings made and read by the
 * adapter; a cursor it cannot read is a ValidationError on `cursor`.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 100
/** Audit trails are read in bigger pages (issue 6: default 50, max 200). */
export const MAX_AUDIT_LIMIT = 200

export const Limit = Schema.Int.pipe(
  Schema.between(1, MAX_LIMIT, { message: () => `must be an integer from 1 to ${MAX_LIMIT}` })
)

export const Cursor = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,512}$/, { message: () => "is not a valid cursor" })
)

export interface PageRequest {
  readonly cursor: Option.Option<string>
  readonly limit: number
}

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: Option.Option<string>
  readonly hasMore: boolean
}

export const firstPage = (limit: number = DEFAULT_LIMIT): PageRequest => ({ cursor: Option.none(), limit })

export const map = <A, B>(page: Page<A>, f: (a: A) => B): Page<B> => ({ ...page, items: page.items.map(f) })
