/**
 * `npm run bench` (second part): the HTTP server under load, next to a
 * minimal `node:http` + `pg` server doing the same work, in the same run.
 * Requests per second and p50/p99 latency of `GET /v1/applications/:id` and
 * `POST /v1/applications` at 1, 8 and 32 concurrent clients; the ratio is
 * server / baseline requests per second.
 *
 * The server is the production composition, `Main.layer` (what
 * `loan-ledger serve` runs), on a random loopback port in this process; its
 * log lines are built and then dropped (they would flood the table). It is
 * called with a loan_officer API key created through `ApiKeys.create`.
 *
 * The baseline, also in this process, does per request what the server's
 * database sees and nothing more: the HMAC of the key and the key lookup;
 * for POST the JSON body, the three PII fields Fernet-encrypted under the
 * same key, then the same audited transaction as bench/run.ts's baseline
 * (bench/support.ts: advisory chain lock, head read, SET LOCAL ROLE
 * audit_writer, INSERT event, RESET ROLE with read-back, INSERT
 * application); for GET the row and its documents (the server reads the row
 * a second time through `Documents.list`: that is part of what is measured).
 * Both use pools of `BENCH_POOL_SIZE` connections (default 10, the server's
 * `DATABASE_POOL_SIZE` default).
 *
 * The load: `clients` closed loops on one keep-alive `http.Agent`, each
 * sending its next request when the previous answer is read, for
 * `BENCH_SECONDS` (default 5) or `BENCH_MAX_REQUESTS` (default 20000)
 * requests, whichever ends first; loopback only. Client, server and
 * baseline share this process's event loop, symmetrically. GETs cycle over
 * applications created during the unmeasured warm-up. Any unexpected status
 * stops the run.
 *
 * The database: as bench/run.ts (bench/support.ts), `BENCH_DATABASE_URL` or
 * an embedded PostgreSQL with fsync on.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import pg from "pg"
import * as Main from "@loan-ledger/http/Main"
import * as TimestampText from "../packages/adapters-pg/src/TimestampText.js"
import * as Actor from "../packages/domain/src/Actor.js"
import { ApiKeys } from "../packages/domain/src/ApiKeys.js"
import { stateTransitionEvent } from "../packages/domain/src/Applications.js"
import * as Fernet from "../packages/domain/src/Fernet.js"
import * as Ids from "../packages/domain/src/Ids.js"
import * as InterestRate from "../packages/domain/src/InterestRate.js"
import * as Money from "../packages/domain/src/Money.js"
import type { Role } from "../packages/domain/src/Role.js"
import * as Timestamp from "../packages/domain/src/Timestamp.js"
import {
  auditedCreate,
  CLIENTS,
  cluster,
  type Cluster,
  type NewApplication,
  ownerQuery,
  pad,
  say,
  SECONDS,
  WARMUP_SECONDS
} from "./support.js"

const MAX_REQUESTS = Number(process.env.BENCH_MAX_REQUESTS ?? "20000")
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? "10")
/** The server's default `LOCK_TIMEOUT_MS`. */
const LOCK_TIMEOUT_MS = 5000
/** Applications the GETs cycle over. */
const GET_TARGETS = 500
const ENCRYPTION_KEY = Redacted.value(Fernet.generateKey())
const HMAC_SECRET = Crypto.randomBytes(36).toString("base64url")

const CREATE_BODY = JSON.stringify({
  borrowerName: "Bench Borrower",
  ssn: "900-12-3456",
  annualIncome: "98000.50",
  monthlyDebts: "1250.00",
  loanAmount: "250000.00",
  propertyValue: "400000.00",
  loanTermMonths: 360,
  interestRate: "6.875",
  propertyAddress: { street: "1 Bench Way", city: "Springfield", state: "IL", zip: "62701" },
  accountNumbers: ["DE89370400440532013000"],
  governmentId: "X1234567"
})

// ---------------------------------------------------------------------------
// The server: Main.layer, as `loan-ledger serve` builds it

const settingsFor = (db: Cluster) =>
  ConfigProvider.fromMap(
    new Map(Object.entries({
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATABASE_APP_ROLE: db.appRole,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      ENCRYPTION_KEY,
      HMAC_SECRET_KEY: HMAC_SECRET,
      ENVIRONMENT: "development"
    }))
  )

/** Starts the server for the scope; its URL. */
const realServer = (db: Cluster) =>
  Effect.gen(function*() {
    let url = ""
    yield* Layer.build(Main.layer({
      settings: { port: 0, host: "127.0.0.1" },
      logSink: () => undefined,
      onListening: (listening) => Effect.sync(() => void (url = listening.url))
    })).pipe(Effect.withConfigProvider(settingsFor(db)), Effect.orDie)
    return url
  })

/** A loan_officer key, created as an operator would (`ApiKeys.create`, audited on the system chain). */
const createKey = (db: Cluster) =>
  Effect.flatMap(ApiKeys, (keys) =>
    keys.create(Actor.operator("bench"), { role: "loan_officer", description: "benchmark", expiresInDays: 1 })).pipe(
      Effect.map((created) => Redacted.value(created.key)),
      Effect.provide(Main.UseCasesLive),
      Effect.withConfigProvider(settingsFor(db)),
      Effect.orDie
    )

// ---------------------------------------------------------------------------
// The baseline: node:http + pg, the same SQL

const APPLICATION_COLUMNS = `id::text AS id, status, borrower_name, ssn_encrypted, ssn_last4, account_numbers_encrypted,
  government_id_encrypted, loan_amount_cents::text AS loan_amount_cents,
  property_value_cents::text AS property_value_cents, annual_income_cents::text AS annual_income_cents,
  monthly_debts_cents::text AS monthly_debts_cents, interest_rate::text AS interest_rate, loan_term_months,
  property_address, created_by::text AS created_by, ${TimestampText.selectText("created_at")},
  ${TimestampText.selectText("updated_at")}`
const DOCUMENT_COLUMNS = `id::text AS id, application_id::text AS application_id, filename, content_type,
  size_bytes::text AS size_bytes, content_hmac, uploaded_by::text AS uploaded_by,
  ${TimestampText.selectText("created_at")}`
const KEY_COLUMNS = `id::text AS id, key_hash, role, description, ${TimestampText.selectText("expires_at")},
  is_active, is_seed, ${TimestampText.selectText("created_at")}`
const AUTHORIZATION = /^Bearer (?:[a-z_]+:)?(ak_(?:lo|su|rv)_[A-Za-z0-9_-]{43})$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const SSN = /^\d{3}-\d{2}-\d{4}$/

interface Row {
  readonly [column: string]: unknown
}

const moneyOf = (value: unknown, field: string): bigint => {
  const parsed = Money.parse(String(value), field)
  if (Either.isLeft(parsed)) throw new BadRequest()
  return parsed.right
}

class BadRequest extends Error {}

const applicationView = (row: NewApplication) => ({
  id: row.id,
  borrowerName: row.borrowerName,
  ssn: `***-**-${row.ssnLast4}`,
  annualIncome: Money.format(row.annualIncomeCents),
  monthlyDebts: Money.format(row.monthlyDebtsCents),
  loanAmount: Money.format(row.loanAmountCents),
  propertyValue: Money.format(row.propertyValueCents),
  loanTermMonths: row.loanTermMonths,
  interestRate: row.interestRate,
  propertyAddress: row.propertyAddress,
  accountNumbers: row.accountNumbersEncrypted === null ? null : "[REDACTED]",
  governmentId: row.governmentIdEncrypted === null ? null : "[REDACTED]",
  status: row.status,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

const fromRow = (r: Row): NewApplication => ({
  id: r.id as Ids.ApplicationId,
  status: r.status as string,
  borrowerName: r.borrower_name as string,
  ssnEncrypted: r.ssn_encrypted as Uint8Array,
  ssnLast4: r.ssn_last4 as string,
  accountNumbersEncrypted: r.account_numbers_encrypted as Uint8Array | null,
  governmentIdEncrypted: r.government_id_encrypted as Uint8Array | null,
  loanAmountCents: BigInt(r.loan_amount_cents as string),
  propertyValueCents: BigInt(r.property_value_cents as string),
  annualIncomeCents: BigInt(r.annual_income_cents as string),
  monthlyDebtsCents: BigInt(r.monthly_debts_cents as string),
  interestRate: r.interest_rate as InterestRate.InterestRate,
  loanTermMonths: r.loan_term_months as number,
  propertyAddress: r.property_address as object,
  createdBy: r.created_by as string,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string
})

const readBody = (request: Http.IncomingMessage, limit: number) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) reject(new BadRequest())
      else chunks.push(chunk)
    })
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const baselineServer = (appUrl: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const pool = new pg.Pool({ connectionString: appUrl, max: POOL_SIZE, application_name: "loan-ledger-bench-http" })
      const fernetKey = Either.getOrThrow(Fernet.decodeKey(Redacted.make(ENCRYPTION_KEY)))
      /** As the vault stores it: the key id byte (1), then the token's ASCII. */
      const encrypt = (text: string) =>
        Buffer.concat([
          Buffer.from([1]),
          Buffer.from(Fernet.encrypt(fernetKey, Buffer.from(text, "utf8"), { now: Math.floor(Date.now() / 1000) }), "latin1")
        ])

      const authenticate = async (header: string | undefined): Promise<{ id: string; role: Role } | undefined> => {
        const match = AUTHORIZATION.exec(header ?? "")
        if (match === null) return undefined
        const hash = Crypto.createHmac("sha256", HMAC_SECRET).update(match[1]!).digest("hex")
        const row = (await pool.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`, [hash])).rows[0]
        if (row === undefined || !row.is_active || (row.expires_at !== null && row.expires_at <= new Date().toISOString())) {
          return undefined
        }
        return { id: row.id, role: row.role }
      }

      const create = async (request: Http.IncomingMessage, actor: { id: string; role: Role }) => {
        if (request.headers["content-type"] !== "application/json") throw new BadRequest()
        const body = JSON.parse(await readBody(request, 64 * 1024))
        if (typeof body.ssn !== "string" || !SSN.test(body.ssn) || typeof body.borrowerName !== "string") {
          throw new BadRequest()
        }
        const rate = InterestRate.parse(String(body.interestRate), "interestRate")
        if (Either.isLeft(rate)) throw new BadRequest()
        const now = Timestamp.fromDate(new Date())
        const app: NewApplication = {
          id: Ids.newApplicationId(),
          status: "draft",
          borrowerName: body.borrowerName,
          ssnEncrypted: encrypt(body.ssn),
          ssnLast4: body.ssn.slice(-4),
          accountNumbersEncrypted: body.accountNumbers === undefined ? null : encrypt(JSON.stringify(body.accountNumbers)),
          governmentIdEncrypted: body.governmentId === undefined ? null : encrypt(body.governmentId),
          loanAmountCents: moneyOf(body.loanAmount, "loanAmount"),
          propertyValueCents: moneyOf(body.propertyValue, "propertyValue"),
          annualIncomeCents: moneyOf(body.annualIncome, "annualIncome"),
          monthlyDebtsCents: moneyOf(body.monthlyDebts, "monthlyDebts"),
          interestRate: rate.right,
          loanTermMonths: Number(body.loanTermMonths),
          propertyAddress: body.propertyAddress,
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now
        }
        const event = stateTransitionEvent(
          Actor.apiKey(actor.id as Ids.ApiKeyId, actor.role),
          app.id,
          null,
          "draft"
        )
        await auditedCreate(pool, app, app.id, event, LOCK_TIMEOUT_MS)
        return app
      }

      const read = async (id: string, actor: { id: string; role: Role }) => {
        const row = (await pool.query(`SELECT ${APPLICATION_COLUMNS} FROM loan_applications WHERE id = $1`, [id]))
          .rows[0]
        if (row === undefined || (actor.role === "loan_officer" && row.created_by !== actor.id)) return undefined
        const documents = await pool.query(
          `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE application_id = $1
           ORDER BY documents.created_at, documents.id LIMIT 101`,
          [id]
        )
        return {
          ...applicationView(fromRow(row)),
          documents: documents.rows.map((d: Row) => ({
            id: d.id,
            applicationId: d.application_id,
            filename: d.filename,
            mediaType: d.content_type,
            sizeBytes: Number(d.size_bytes),
            createdAt: d.created_at
          }))
        }
      }

      const send = (response: Http.ServerResponse, status: number, body: unknown, headers: Http.OutgoingHttpHeaders = {}) => {
        const text = JSON.stringify(body)
        response.writeHead(status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          ...headers
        })
        response.end(text)
      }

      const server = Http.createServer(async (request, response) => {
        try {
          const actor = await authenticate(request.headers.authorization)
          if (actor === undefined) return send(response, 401, { title: "Unauthorized" })
          const path = (request.url ?? "").split("?")[0]!
          if (request.method === "POST" && path === "/v1/applications") {
            const app = await create(request, actor)
            return send(response, 201, { data: applicationView(app) }, { location: `/v1/applications/${app.id}` })
          }
          const id = /^\/v1\/applications\/([^/]+)$/.exec(path)?.[1]
          if (request.method === "GET" && id !== undefined) {
            if (!UUID.test(id)) return send(response, 400, { title: "Bad Request" })
            const found = await read(id, actor)
            return found === undefined ? send(response, 404, { title: "Not Found" }) : send(response, 200, { data: found })
          }
          return send(response, 404, { title: "Not Found" })
        } catch (cause) {
          if (cause instanceof BadRequest || cause instanceof SyntaxError) return send(response, 400, { title: "Bad Request" })
          return send(response, 500, { title: "Internal Server Error" })
        }
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const address = server.address()
      if (address === null || typeof address === "string") throw new Error("no TCP address")
      return { url: `http://127.0.0.1:${address.port}`, server, pool }
    }),
    ({ pool, server }) =>
      Effect.promise(async () => {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await pool.end()
      })
  )

// ---------------------------------------------------------------------------
// The load: closed loops on a keep-alive agent

interface Answer {
  readonly status: number
  readonly location: string | undefined
  readonly body: string
}

const call = (agent: Http.Agent, base: URL, method: string, path: string, key: string, body?: string) =>
  new Promise<Answer>((resolve, reject) => {
    const headers: Http.OutgoingHttpHeaders = { authorization: `Bearer ${key}` }
    if (body !== undefined) {
      headers["content-type"] = "application/json"
      headers["content-length"] = Buffer.byteLength(body)
    }
    const request = Http.request(
      { agent, host: base.hostname, port: base.port, method, path, headers },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            body: Buffer.concat(chunks).toString("utf8")
          }))
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(body)
  })

type Operation = "GET" | "POST"

interface Measurement {
  readonly requests: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

/**
 * `clients` closed loops against `url` for `seconds` or `maxRequests`
 * requests; created applications' ids go to `created` (up to GET_TARGETS).
 */
const load = (
  url: string,
  key: string,
  operation: Operation,
  clients: number,
  targets: Array<string>,
  seconds = SECONDS,
  maxRequests = MAX_REQUESTS
) =>
  Effect.promise(async (): Promise<Measurement> => {
    const base = new URL(url)
    const agent = new Http.Agent({ keepAlive: true, maxSockets: clients })
    const latencies = new Float64Array(maxRequests)
    let issued = 0
    let done = 0
    let next = 0
    const started = performance.now()
    const deadline = started + seconds * 1000
    const loop = async () => {
      while (performance.now() < deadline && issued < maxRequests) {
        issued++
        const begin = performance.now()
        const answer = operation === "POST"
          ? await call(agent, base, "POST", "/v1/applications", key, CREATE_BODY)
          : await call(agent, base, "GET", `/v1/applications/${targets[next++ % targets.length]}`, key)
        latencies[done++] = performance.now() - begin
        const expected = operation === "POST" ? 201 : 200
        if (answer.status !== expected) {
          throw new Error(`${operation} on ${url} answered ${answer.status}, not ${expected}: ${answer.body.slice(0, 300)}`)
        }
        if (operation === "POST" && targets.length < GET_TARGETS && answer.location !== undefined) {
          targets.push(answer.location.slice(answer.location.lastIndexOf("/") + 1))
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: clients }, loop))
    } finally {
      agent.destroy()
    }
    const elapsed = (performance.now() - started) / 1000
    const sorted = latencies.slice(0, done).sort()
    return { requests: done, perSecond: done / elapsed, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
  })

// ---------------------------------------------------------------------------

const main = Effect.gen(function*() {
  const db = yield* cluster
  const key = yield* createKey(db)
  const server = yield* realServer(db)
  const baseline = yield* baselineServer(db.appUrl)
  say(
    `database: ${db.describe}; pools of ${POOL_SIZE}; ${SECONDS} s or ${MAX_REQUESTS} requests per measurement; node ${process.version}`
  )
  say(`server ${server} (Main.layer), baseline ${baseline.url} (node:http + pg)`)
  const targets: Array<string> = []
  if (WARMUP_SECONDS > 0) say(`warming up (${WARMUP_SECONDS} s per side and endpoint, unmeasured) ...`)
  // The warm-up also creates the applications the GETs read (at least one per side).
  for (const url of [server, baseline.url]) {
    yield* load(url, key, "POST", 4, targets, Math.max(WARMUP_SECONDS, 0.5))
    yield* load(url, key, "GET", 4, targets, WARMUP_SECONDS)
  }
  say("")
  const ms = (n: number) => n.toFixed(2)
  say(
    `${"endpoint".padEnd(26)} ${pad("clients", 7)} | ${pad("server/s", 9)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} | ${
      pad("pg/s", 9)
    } ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} | ${pad("ratio", 5)}`
  )
  let round = 0
  for (const operation of ["GET", "POST"] as const) {
    for (const clients of CLIENTS) {
      // Alternate which side goes first, so neither always meets the warmer cache or the bigger table.
      const serverFirst = round++ % 2 === 0
      const first = yield* load(serverFirst ? server : baseline.url, key, operation, clients, targets)
      const second = yield* load(serverFirst ? baseline.url : server, key, operation, clients, targets)
      const [s, b] = serverFirst ? [first, second] : [second, first]
      const endpoint = operation === "GET" ? "GET /v1/applications/:id" : "POST /v1/applications"
      say(
        `${endpoint.padEnd(26)} ${pad(clients, 7)} | ${pad(s.perSecond.toFixed(0), 9)} ${pad(ms(s.p50), 7)} ${
          pad(ms(s.p99), 7)
        } | ${pad(b.perSecond.toFixed(0), 9)} ${pad(ms(b.p50), 7)} ${pad(ms(b.p99), 7)} | ${
          pad((s.perSecond / b.perSecond).toFixed(2), 5)
        }`
      )
    }
  }
  const [counts] = yield* ownerQuery(
    db.ownerUrl,
    `SELECT (SELECT count(*) FROM loan_applications)::int AS applications,
       (SELECT count(*) FROM audit_events WHERE event_type = 'state_transition' AND new_state = 'draft')::int AS events`
  )
  say("")
  say(`${counts.applications} applications created, ${counts.events} creation events (one each expected)`)
  if (counts.applications !== counts.events) return yield* Effect.dieMessage("creations and events differ")
})

Effect.runPromise(Effect.scoped(main)).then(
  () => process.exit(0),
  (cause) => {
    process.stderr.write(`bench failed: ${String(cause)}\n`)
    process.exit(1)
  }
)
