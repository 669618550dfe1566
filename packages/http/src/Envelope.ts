/**
 * Response envelopes (ARCHITECTURE.md, Contracts): one resource is
 * `{data}`, a page is `{data, pagination: {nextCursor, hasMore}}` with an
 * opaque cursor that is null on the last page.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Page as DomainPage } from "@loan-ledger/domain/Pagination"

export const Data = <S extends Schema.Schema.Any>(data: S, identifier: string) =>
  Schema.Struct({ data }).annotations({ identifier })

export const Pagination = Schema.Struct({
  nextCursor: Schema.NullOr(Schema.String).annotations({
    description: "Pass as `cursor` to get the next page; null on the last page"
  }),
  hasMore: Schema.Boolean
}).annotations({ identifier: "Pagination" })

export const Page = <S extends Schema.Schema.Any>(item: S, identifier: string) =>
  Schema.Struct({ data: Schema.Array(item), pagination: Pagination }).annotations({ identifier })

export const data = <A>(value: A) => ({ data: value })

export const page = <A>(p: DomainPage<A>) => ({
  data: p.items,
  pagination: { nextCursor: Option.getOrNull(p.nextCursor), hasMore: p.hasMore }
})
