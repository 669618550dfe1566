/**
 * The adapters and the domain's use cases on a real test database, as the
 * runtime role (`app_user`), plus a few owner-side helpers for assertions.
 * Each test file gets its own database (`databaseLayer`); each test builds
 * the pools it needs (`useCases`, `adapters`), so a test can ask for a pool
 * of one connection or a short lock timeout.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import pg from "pg"
import * as PgLayers from "@loan-ledger/adapters-pg/PgLayers"
import * as PgUnitOfWork from "@loan-ledger/adapters-pg/PgUnitOfWork"
import * as RuntimeSql from "@loan-ledger/adapters-pg/RuntimeSql"
import * as Actor from "@loan-ledger/domain/Actor"
import * as ApiKey from "@loan-ledger/domain/ApiKey"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import { ApiKeyRecord } from "@loan-ledger/domain/ApiKeyRecord"
import { ApiKeyRepository } from "@loan-ledger/domain/ApiKeyRepository"
import { Applications } from "@loan-ledger/domain/Applications"
import * as AuditChain from "@loan-ledger/domain/AuditChain"
import { AuditLog } from "@loan-ledger/domain/AuditLog"
import { AuditTrail } from "@loan-ledger/domain/AuditTrail"
import * as ChainKey from "@loan-ledger/domain/ChainKey"
import { Documents } from "@loan-ledger/domain/Documents"
import * as Fernet from "@loan-ledger/domain/Fernet"
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import { Hmac } from "@loan-ledger/domain/Hmac"
import * as Ids from "@loan-ledger/domain/Ids"
import type { Role } from "@loan-ledger/domain/Role"
import * as Timestamp from "@loan-ledger/domain/Timestamp"
import * as UnitOfWork from "@loan-ledger/domain/UnitOfWork"
import { pdf } from "../../../packages/domain/test/support/Files.js"
import { createRequest } from "../../../packages/domain/test/support/Fixtures.js"
import { createTestDatabase, type TestDatabase } from "../../support/database.js"

export class TestDb extends Context.Tag("test/adapters/TestDb")<TestDb, TestDatabase>() {}

/** A migrated copy of the template for one test file, dropped at its end. */
export const databaseLayer: Layer.Layer<TestDb> = Layer.scoped(
  TestDb,
  Effect.acquireRelease(Effect.promise(() => createTestDatabase()), (db) => Effect.promise(() => db.drop()))
)

export interface PoolOptions {
  readonly maxConnections?: number
  readonly lockTimeoutMs?: number
}

export const TEST_HMAC_SECRET = Redacted.make("adapters-test-hmac-secret-of-at-least-32-chars")

/** The runtime pool on `db` as `app_user`, with every port of the adapter. */
export const adapters = (db: TestDatabase, options: PoolOptions = {}) =>
  Layer.merge(
    PgLayers.portsWithoutUnitOfWork,
    PgUnitOfWork.layerWith({ lockTimeoutMs: options.lockTimeoutMs ?? 10_000 })
  ).pipe(
    Layer.provideMerge(
      RuntimeSql.layerFrom({
        url: Redacted.make(db.appUrl),
        maxConnections: options.maxConnections ?? 8,
        applicationName: "loan-ledger-adapters-test"
      })
    ),
    Layer.orDie
  )

/** `adapters` plus the domain's use cases, an HMAC secret and a fresh Fernet key ring. */
export const useCases = (db: TestDatabase, options: PoolOptions = {}) =>
  Layer.mergeAll(Applications.Default, Documents.Default, ApiKeys.Default, AuditTrail.Default).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        adapters(db, options),
        Hmac.fromSecret(TEST_HMAC_SECRET),
        FernetKeyRing.layer({ current: { id: 1, key: Fernet.generateKey() }, previous: Option.none() })
      )
    )
  )

/** Runs `effect` with the adapters (and use cases) on this file's database. */
export const withUseCases = <A, E, R>(effect: Effect.Effect<A, E, R>, options: PoolOptions = {}) =>
  Effect.flatMap(TestDb, (db) => Effect.provide(effect, useCases(db, options)))

/** An API key stored through the repository (as a seed would), with its actor and plaintext. */
export const storeKey = (role: Role, overrides: Partial<ApiKeyRecord> = {}) =>
  Effect.gen(function*() {
    const repo = yield* ApiKeyRepository
    const key = ApiKey.generate(role)
    const now = yield* Timestamp.now
    const record = ApiKeyRecord.make({
      id: Ids.newApiKeyId(),
      keyHash: yield* ApiKey.hash(key),
      role,
      description: null,
      expiresAt: Timestamp.addSeconds(now, 86_400),
      isActive: true,
      isSeed: false,
      createdAt: now,
      ...overrides
    })
    yield* UnitOfWork.transaction([ChainKey.system], repo.insert(record))
    return { actor: Actor.apiKey(record.id, role), key, record }
  })

/** A draft of `officer` with one document, ready to submit. */
export const draftWithDocument = (officer: Actor.Actor) =>
  Effect.gen(function*() {
    const apps = yield* Applications
    const docs = yield* Documents
    const app = yield* apps.create(officer, createRequest())
    yield* docs.upload(officer, app.id, { filename: "first.pdf", content: pdf() })
    return app
  })

/** Verifies a chain through the adapter's stream. */
export const verifyChain = (chain: ChainKey.ChainKey) =>
  Effect.flatMap(AuditLog, (log) => AuditChain.verifyRows(chain, log.readChain(chain)))

export const verifyAllChains = Effect.flatMap(AuditLog, (log) =>
  Stream.runCollect(Stream.mapEffect(log.chains, (chain) => AuditChain.verifyRows(chain, log.readChain(chain)))))

/** The runtime `SqlClient`, for the odd statement a test makes as `app_user`. */
export const runtimeSql = SqlClient.SqlClient

// ---------------------------------------------------------------------------
// A second session, outside the adapter: the owner, or app_user on a raw
// connection, for holding locks and checking what was stored.

export interface Session {
  readonly query: <T extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: ReadonlyArray<unknown>
  ) => Effect.Effect<ReadonlyArray<T>>
  readonly pid: number
}

const connect = (url: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new pg.Client({ connectionString: url, application_name: "loan-ledger-test-session" })
      await client.connect()
      return client
    }),
    (client) => Effect.promise(() => client.end().catch(() => undefined))
  )

const sessionOf = (client: pg.Client): Session => ({
  query: <T extends pg.QueryResultRow>(text: string, values?: ReadonlyArray<unknown>) =>
    Effect.promise(() => client.query<T>(text, values as Array<unknown> | undefined).then((r) => r.rows)),
  pid: (client as unknown as { processID: number }).processID
})

/** A raw session as the owner (superuser of the test cluster), closed with the scope. */
export const ownerSession = Effect.flatMap(TestDb, (db) => Effect.map(connect(db.adminUrl), sessionOf))

/** A raw session as the runtime role, closed with the scope. */
export const appSession = Effect.flatMap(TestDb, (db) => Effect.map(connect(db.appUrl), sessionOf))

/** One query as the owner on a short-lived connection. */
export const asOwner = <T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values?: ReadonlyArray<unknown>
) => Effect.scoped(Effect.flatMap(ownerSession, (s) => s.query<T>(text, values)))

/** The two-int4 advisory lock key of a chain, as a raw session takes it. */
export const chainLockSql = "pg_advisory_xact_lock($1, hashtext($2))"
