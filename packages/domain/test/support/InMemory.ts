/**
 * In-memory implementations of the domain's ports, for the domain's own
 * tests (the PostgreSQL adapter has its own, against a real database).
 *
 * They keep the semantics the use cases rely on: per-chain locks taken in
 * lock order with a timeout (ChainBusy), all-or-nothing transactions (an
 * undo journal replayed on failure), writes and appends only inside a
 * transaction (checked at run time as the adapter does), and audit rows
 * read back the way PostgreSQL returns them (other time zone, NUMERIC
 * scale, jsonb key order) so that normalisation is exercised.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import {
  ApiKeyRecord,
  ApiKeyRepository,
  ApplicationRepository,
  AuditChain,
  AuditEvent,
  AuditLog,
  ChainKey,
  DocumentContentStore,
  DocumentRepository,
  Errors,
  LoanApplication,
  LoanDocument,
  Pagination,
  PiiVault,
  ProcessingQueue,
  Timestamp,
  UnitOfWork
} from "../../src/index.js"


export interface State {
  readonly applications: Map<string, LoanApplication.LoanApplication>
  readonly documents: Map<string, LoanDocument.LoanDocument>
  readonly contents: Map<string, PiiVault.Ciphertext>
  readonly apiKeys: Map<string, ApiKeyRecord.ApiKeyRecord>
  /** Every stored event, in id order. Tests may tamper with it. */
  readonly audit: Array<AuditEvent.AuditEvent>
  readonly queue: Array<ProcessingQueue.ProcessingRequest>
  nextAuditId: bigint
  /** Test hook: the next append dies (to show that a failed audit write undoes the operation). */
  failNextAppend: boolean
}

export const emptyState = (): State => ({
  applications: new Map(),
  documents: new Map(),
  contents: new Map(),
  apiKeys: new Map(),
  audit: [],
  queue: [],
  nextAuditId: 1n,
  failNextAppend: false
})

export class InMemoryDatabase extends Context.Tag("test/InMemoryDatabase")<InMemoryDatabase, {
  readonly state: State
  /** Holds the lock of `chain` until the returned effect is run (to simulate a busy chain). */
  readonly holdLock: (chain: ChainKey.ChainKey) => Effect.Effect<Effect.Effect<void>>
}>() {}

type Undo = () => void
const journalRef = FiberRef.unsafeMake<Array<Undo> | undefined>(undefined)

/** Records how to undo a write of the current transaction (a defect outside one). */
const journal = (undo: Undo): Effect.Effect<void, never, UnitOfWork.Transaction> =>
  Effect.flatMap(UnitOfWork.Transaction, () =>
    Effect.flatMap(FiberRef.get(journalRef), (entries) =>
      entries === undefined
        ? Effect.dieMessage("write outside a UnitOfWork transaction")
        : Effect.sync(() => {
          entries.push(undo)
        })))

const setEntry = <K, V>(map: Map<K, V>, key: K, value: V) =>
  Effect.zipRight(
    Effect.sync(() => {
      const had = map.has(key)
      const before = map.get(key)
      map.set(key, value)
      return had ? () => void map.set(key, before as V) : () => void map.delete(key)
    }).pipe(Effect.flatMap(journal)),
    Effect.void
  )

// Opaque cursors: the offset of the next item, base64url.
const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString("base64url")
const decodeCursor = (cursor: Option.Option<string>): Effect.Effect<number, Errors.ValidationError> =>
  Option.match(cursor, {
    onNone: () => Effect.succeed(0),
    onSome: (c) => {
      const text = Buffer.from(c, "base64url").toString()
      const match = /^o:(\d+)$/.exec(text)
      return match === null
        ? Effect.fail(Errors.ValidationError.single("cursor", "is not a valid cursor"))
        : Effect.succeed(Number(match[1]))
    }
  })

const paginate = <A>(items: ReadonlyArray<A>, page: Pagination.PageRequest) =>
  Effect.map(decodeCursor(page.cursor), (offset): Pagination.Page<A> => {
    const slice = items.slice(offset, offset + page.limit)
    const hasMore = offset + page.limit < items.length
    return {
      items: slice,
      hasMore,
      nextCursor: hasMore ? Option.some(encodeCursor(offset + page.limit)) : Option.none()
    }
  })

const newestFirst = <A extends { readonly createdAt: string; readonly id: string }>(a: A, b: A) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1

/**
 * The row as PostgreSQL would hand it back: created_at in a +01 session
 * time zone with trailing zeros cut, confidence at NUMERIC(7,6) scale, jsonb
 * with keys in another order.
 */
export const asDatabaseRow = (event: AuditEvent.AuditEvent): AuditEvent.AuditEventRow => {
  const row = AuditEvent.toRow(event)
  const micros = Timestamp.toEpochMicros(event.createdAt) + 3_600_000_000n
  const shifted = Timestamp.fromEpochMicros(micros)
  const fraction = shifted.slice(20, 26).replace(/0+$/, "")
  const createdAt = `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}${fraction === "" ? "" : "." + fraction}+01`
  const reorder = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reorder)
      : typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)]))
      : value
  return {
    ...row,
    created_at: createdAt,
    confidence_score: event.confidenceScore === null ? null : `${event.confidenceScore}000`,
    metadata: reorder(row.metadata)
  }
}

export interface Options {
  /** How long a transaction waits for a chain lock before ChainBusy. */
  readonly lockTimeout?: Duration.DurationInput
}

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const state = emptyState()
    const locks = new Map<string, Effect.Semaphore>()
    const lockTimeout = Duration.decode(options.lockTimeout ?? "5 seconds")
    const lockOf = (chain: ChainKey.ChainKey) => {
      const key = ChainKey.toString(chain)
      let lock = locks.get(key)
      if (lock === undefined) {
        lock = Effect.unsafeMakeSemaphore(1)
        locks.set(key, lock)
      }
      return lock
    }

    const acquire = (chain: ChainKey.ChainKey) =>
      // The wait must stay interruptible, or the timeout could never fire
      // (acquireRelease runs its acquisition uninterruptibly).
      Effect.acquireRelease(
        lockOf(chain).take(1).pipe(
          Effect.interruptible,
          Effect.timeoutFail({
            duration: lockTimeout,
            onTimeout: () => new Errors.ChainBusy({ chain: ChainKey.toString(chain) })
          })
        ),
        () => lockOf(chain).release(1)
      )

    const unitOfWork = UnitOfWork.UnitOfWork.of({
      transaction: <A, E, R>(chains: ReadonlyArray<ChainKey.ChainKey>, effect: Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const ordered = ChainKey.lockOrder(chains)
          for (const chain of ordered) yield* acquire(chain)
          const entries: Array<Undo> = []
          const exit = yield* effect.pipe(
            Effect.provideService(UnitOfWork.Transaction, { chains: ordered }),
            Effect.locally(journalRef, entries),
            Effect.exit
          )
          if (Exit.isFailure(exit)) {
            for (const undo of entries.reverse()) undo()
          }
          return yield* exit
        }).pipe(Effect.scoped) as Effect.Effect<A, E | Errors.ChainBusy, Exclude<R, UnitOfWork.Transaction>>
    })

    const applications = ApplicationRepository.ApplicationRepository.of({
      insert: (app) => setEntry(state.applications, app.id, app),
      findById: (id) => Effect.sync(() => Option.fromNullable(state.applications.get(id))),
      findByIdForUpdate: (id) =>
        Effect.zipRight(journal(() => {}), Effect.sync(() => Option.fromNullable(state.applications.get(id)))),
      list: (query) =>
        paginate(
          [...state.applications.values()]
            .filter((a) => Option.match(query.createdBy, { onNone: () => true, onSome: (k) => a.createdBy === k }))
            .filter((a) => Option.match(query.status, { onNone: () => true, onSome: (s) => a.status === s }))
            .sort(newestFirst),
          query.page
        ),
      updateStatus: (id, status, updatedAt) =>
        Effect.flatMap(Effect.sync(() => state.applications.get(id)), (app) =>
          app === undefined
            ? Effect.dieMessage(`no application ${id}`)
            : setEntry(state.applications, id, LoanApplication.LoanApplication.make({ ...app, status, updatedAt })))
    })

    const documents = DocumentRepository.DocumentRepository.of({
      insert: (doc) => setEntry(state.documents, doc.id, doc),
      countForApplication: (applicationId) =>
        Effect.zipRight(
          journal(() => {}),
          Effect.sync(() => [...state.documents.values()].filter((d) => d.applicationId === applicationId).length)
        ),
      listForApplication: (applicationId, page) =>
        paginate(
          [...state.documents.values()]
            .filter((d) => d.applicationId === applicationId)
            .sort((a, b) => -newestFirst(a, b)),
          page
        ),
      findById: (applicationId, documentId) =>
        Effect.sync(() =>
          Option.filter(Option.fromNullable(state.documents.get(documentId)), (d) => d.applicationId === applicationId)
        ),
      findByDocumentId: (documentId) => Effect.sync(() => Option.fromNullable(state.documents.get(documentId)))
    })

    const contents = DocumentContentStore.DocumentContentStore.of({
      put: (documentId, content) => setEntry(state.contents, documentId, content),
      get: (documentId) => Effect.sync(() => Option.fromNullable(state.contents.get(documentId)))
    })

    const apiKeys = ApiKeyRepository.ApiKeyRepository.of({
      insert: (record) => setEntry(state.apiKeys, record.id, record),
      findByHash: (keyHash) =>
        Effect.sync(() => Option.fromNullable([...state.apiKeys.values()].find((r) => r.keyHash === keyHash))),
      findById: (id) => Effect.sync(() => Option.fromNullable(state.apiKeys.get(id))),
      findByIdForUpdate: (id) => Effect.zipRight(journal(() => {}), Effect.sync(() => Option.fromNullable(state.apiKeys.get(id)))),
      list: (page) => paginate([...state.apiKeys.values()].sort(newestFirst), page),
      deactivate: (id) =>
        Effect.flatMap(Effect.sync(() => state.apiKeys.get(id)), (record) =>
          record === undefined
            ? Effect.dieMessage(`no key ${id}`)
            : setEntry(state.apiKeys, id, ApiKeyRecord.ApiKeyRecord.make({ ...record, isActive: false })))
    })

    const chainEvents = (chain: ChainKey.ChainKey) =>
      state.audit.filter((e) => e.applicationId === ChainKey.applicationIdOf(chain))

    const auditLog = AuditLog.AuditLog.of({
      append: (input) =>
        Effect.gen(function*() {
          const tx = yield* UnitOfWork.Transaction
          const chain = ChainKey.of(input.applicationId)
          if (!UnitOfWork.holdsLock(tx, chain)) {
            return yield* Effect.dieMessage(`append to ${ChainKey.toString(chain)} without its lock`)
          }
          if (state.failNextAppend) {
            state.failNextAppend = false
            return yield* Effect.dieMessage("audit write failed (test hook)")
          }
          const events = chainEvents(chain)
          const head = Option.fromNullable(events[events.length - 1])
          const event = AuditEvent.AuditEvent.make({
            ...input,
            id: String(state.nextAuditId) as AuditEvent.AuditEvent["id"],
            prevEventHash: AuditChain.nextPrevHash(head),
            createdAt: yield* Timestamp.now
          })
          state.nextAuditId += 1n
          state.audit.push(event)
          yield* journal(() => {
            const at = state.audit.indexOf(event)
            if (at >= 0) state.audit.splice(at, 1)
          })
          return event
        }),
      query: (q) =>
        paginate(
          chainEvents(q.chain)
            .filter((e) => Option.match(q.eventType, { onNone: () => true, onSome: (t) => e.eventType === t }))
            .filter((e) => Option.match(q.from, { onNone: () => true, onSome: (f) => e.createdAt >= f }))
            .filter((e) => Option.match(q.to, { onNone: () => true, onSome: (t) => e.createdAt < t })),
          q.page
        ),
      readChain: (chain) => Stream.suspend(() => Stream.fromIterable(chainEvents(chain).map(asDatabaseRow))),
      chains: Stream.suspend(() => {
        const keys = new Map<string, ChainKey.ChainKey>()
        for (const e of state.audit) {
          const key = ChainKey.of(e.applicationId)
          keys.set(ChainKey.toString(key), key)
        }
        return Stream.fromIterable(keys.values())
      })
    })

    const queue = ProcessingQueue.ProcessingQueue.of({
      enqueue: (request) =>
        Effect.zipRight(
          journal(() => {
            const at = state.queue.indexOf(request)
            if (at >= 0) state.queue.splice(at, 1)
          }),
          Effect.sync(() => void state.queue.push(request))
        )
    })

    const database = InMemoryDatabase.of({
      state,
      holdLock: (chain) =>
        Effect.map(lockOf(chain).take(1), () => lockOf(chain).release(1).pipe(Effect.asVoid))
    })

    return Context.empty().pipe(
      Context.add(UnitOfWork.UnitOfWork, unitOfWork),
      Context.add(ApplicationRepository.ApplicationRepository, applications),
      Context.add(DocumentRepository.DocumentRepository, documents),
      Context.add(DocumentContentStore.DocumentContentStore, contents),
      Context.add(ApiKeyRepository.ApiKeyRepository, apiKeys),
      Context.add(AuditLog.AuditLog, auditLog),
      Context.add(ProcessingQueue.ProcessingQueue, queue),
      Context.add(InMemoryDatabase, database)
    )
  })

export type Ports =
  | UnitOfWork.UnitOfWork
  | ApplicationRepository.ApplicationRepository
  | DocumentRepository.DocumentRepository
  | DocumentContentStore.DocumentContentStore
  | ApiKeyRepository.ApiKeyRepository
  | AuditLog.AuditLog
  | ProcessingQueue.ProcessingQueue
  | InMemoryDatabase

/** Fresh, empty in-memory ports. */
export const layer = (options: Options = {}): Layer.Layer<Ports> => Layer.effectContext(make(options))
