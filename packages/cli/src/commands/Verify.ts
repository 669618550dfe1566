/**
 * `verify [--application ID] [--json]`: recomputes every audit chain (or
 * one) with the domain's incremental fold, streaming each chain in batches,
 * so memory stays constant however long the chains are. Results are printed
 * per chain as they finish; `--json` streams one JSON document (shape in
 * docs/cli.md). Exit code 1 when any chain does not hold.
 *
 * A hash chain cannot show a removed tail or a rewritten suffix (that needs a
 * head kept outside the database, a later step), and it cannot show a chain
 * that was deleted whole: for that, every application is also checked to
 * have a chain, since its creation event is written in the same transaction
 * as the application itself.
 */
import { ApplicationRepository } from "@loan-ledger/domain/ApplicationRepository"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import type { ApplicationId } from "@loan-ledger/domain/Ids"
import * as Pagination from "@loan-ledger/domain/Pagination"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ChainsBroken, UsageError } from "../CliError.js"
import * as Progress from "../Progress.js"

/** One chain's result, as `--json` prints it. */
export type ChainReport =
  | {
    readonly chain: string
    readonly applicationId: string | null
    readonly status: "intact"
    readonly events: number
    readonly head: { readonly id: string; readonly hash: string } | null
  }
  | {
    readonly chain: string
    readonly applicationId: string | null
    readonly status: "broken"
    readonly events: number
    readonly firstBadEventId: string
    readonly position: number
    readonly field: string
    readonly detail: string
  }
  | {
    readonly chain: string
    readonly applicationId: string
    readonly status: "missing"
    readonly events: 0
    readonly detail: string
  }

const toReport = (v: AuditChain.Verification): ChainReport => {
  const chain = ChainKey.toString(v.chain)
  const applicationId = ChainKey.applicationIdOf(v.chain)
  return v._tag === "Intact"
    ? {
      chain,
      applicationId,
      status: "intact",
      events: v.events,
      head: Option.getOrNull(Option.map(v.head, (h) => ({ id: h.id, hash: h.hash })))
    }
    : {
      chain,
      applicationId,
      status: "broken",
      events: v.events,
      firstBadEventId: v.break.eventId,
      position: v.break.position,
      field: v.break.field,
      detail: v.break.detail
    }
}

const missing = (applicationId: ApplicationId): ChainReport => ({
  chain: ChainKey.toString(ChainKey.application(applicationId)),
  applicationId,
  status: "missing",
  events: 0,
  detail: "the application exists but its audit chain has no events (its creation is always recorded)"
})

const humanLine = (r: ChainReport): string => {
  switch (r.status) {
    case "intact":
      return `ok       ${r.chain}  ${r.events} events`
    case "broken":
      return `BROKEN   ${r.chain}  first bad event ${r.firstBadEventId} (${r.field}): ${r.detail}`
    case "missing":
      return `MISSING  ${r.chain}  ${r.detail}`
  }
}

interface Totals {
  chains: number
  intact: number
  broken: number
  events: number
}

/** Every application id, page by page (constant memory). */
const allApplicationIds = Effect.map(ApplicationRepository, (repository) =>
  Stream.paginateChunkEffect(Option.none<string>(), (cursor) =>
    Effect.map(
      Effect.orDie(repository.list({
        createdBy: Option.none(),
        status: Option.none(),
        page: { cursor, limit: Pagination.MAX_LIMIT }
      })),
      (page) =>
        [
          Chunk.fromIterable(page.items.map((a) => a.id)),
          page.hasMore ? Option.some(page.nextCursor) : Option.none()
        ] as const
    )))

/** Applications whose chain is empty: deleted whole, which no hash can show. */
const applicationsWithoutChain = Effect.gen(function*() {
  const audit = yield* AuditLog
  const ids = yield* allApplicationIds
  return Stream.filterEffect(ids, (id) =>
    Effect.map(
      Effect.orDie(audit.query({
        chain: ChainKey.application(id),
        eventType: Option.none(),
        from: Option.none(),
        to: Option.none(),
        page: Pagination.firstPage(1)
      })),
      (page) => page.items.length === 0
    ))
})

export const run = (options: { readonly application: Option.Option<ApplicationId>; readonly json: boolean }) =>
  Effect.gen(function*() {
    const audit = yield* AuditLog
    const applications = yield* ApplicationRepository
    const totals: Totals = { chains: 0, intact: 0, broken: 0, events: 0 }
    let first = true

    const emit = (report: ChainReport, progress: Progress.Progress) =>
      Effect.gen(function*() {
        totals.chains++
        totals.events += report.events
        if (report.status === "intact") totals.intact++
        else totals.broken++
        if (options.json) {
          yield* Effect.sync(() => process.stdout.write(`${first ? "" : ","}${JSON.stringify(report)}`))
          first = false
        } else {
          yield* progress.clear
          yield* Console.log(humanLine(report))
        }
      })

    const chains: Stream.Stream<ChainKey.ChainKey> = Option.match(options.application, {
      onNone: () => audit.chains,
      onSome: (id) => Stream.make(ChainKey.application(id))
    })
    // The bar needs a total: counting chains is one more keyset walk, done only for a terminal.
    const total = process.stderr.isTTY === true ? yield* Stream.runCount(chains) : 0
    const progress = Progress.make("verifying", total)

    if (options.json) yield* Effect.sync(() => process.stdout.write("{\"chains\":["))

    yield* Stream.runForEach(chains, (chain) =>
      Effect.gen(function*() {
        const verification = yield* AuditChain.verifyRows(chain, audit.readChain(chain))
        if (verification._tag === "Intact" && verification.events === 0) {
          // Only reachable with --application: the chain has no events at all.
          const id = ChainKey.applicationIdOf(chain)!
          if (Option.isNone(yield* applications.findById(id))) {
            return yield* new UsageError({ message: `there is no application ${id} and no audit event for it` })
          }
          yield* emit(missing(id), progress)
        } else {
          yield* emit(toReport(verification), progress)
        }
        // Drawn after the chain's line, so the bar always sits below the output.
        yield* progress.advance(1, verification.events)
      })).pipe(Effect.ensuring(progress.done))

    if (Option.isNone(options.application)) {
      yield* Stream.runForEach(yield* applicationsWithoutChain, (id) => emit(missing(id), progress))
    }

    const summary = { chains: totals.chains, intact: totals.intact, broken: totals.broken, events: totals.events }
    if (options.json) {
      yield* Effect.sync(() =>
        process.stdout.write(`],"summary":${JSON.stringify(summary)},"ok":${totals.broken === 0}}\n`)
      )
    } else {
      yield* Console.log(
        `verified ${totals.chains} chains, ${totals.events} events: ${totals.intact} intact, ${totals.broken} broken`
      )
    }
    if (totals.broken > 0) return yield* new ChainsBroken({ broken: totals.broken, total: totals.chains })
  })
