/**
 * The production composition of the HTTP server, what `loan-ledger serve`
 * (and `npm start`) runs: settings through `Config`, the runtime pool and
 * the adapter's ports, the domain's use cases, the start-up checks, then the
 * server. `layer` is launched with `Layer.launch` under `NodeRuntime.runMain`,
 * whose SIGTERM/SIGINT handling closes it: the server stops accepting and
 * finishes requests in flight, then the pool is closed (NodeServer.ts).
 *
 * With no `DATABASE_URL` the CLI starts the embedded default first and runs
 * this layer under the ConfigProvider it returns.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as DatabaseHealth from "@loan-ledger/adapters-pg/DatabaseHealth"
import * as PgLayers from "@loan-ledger/adapters-pg/PgLayers"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import { Applications } from "@loan-ledger/domain/Applications"
import { AuditTrail } from "@loan-ledger/domain/AuditTrail"
import { Documents } from "@loan-ledger/domain/Documents"
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import { Hmac } from "@loan-ledger/domain/Hmac"
import * as Layers from "./Layers.js"
import * as Logging from "./Logging.js"
import * as Readiness from "./Readiness.js"
import * as StartupChecks from "./StartupChecks.js"

export interface Settings {
  readonly port: number
  readonly host: string
}

/**
 * `PORT` (default 8080, as docs/operations.md says) and `HOST`. Without `HOST` a development server
 * listens on the loopback interface only; production listens on all
 * interfaces (behind its load balancer).
 */
export const settings: Config.Config<Settings> = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8080)),
  host: Config.option(Config.string("HOST")),
  environment: Config.literal("development", "production")("ENVIRONMENT").pipe(Config.withDefault("development" as const))
}).pipe(
  Config.map(({ environment, host, port }) => ({
    port,
    host: host._tag === "Some" ? host.value : environment === "production" ? "0.0.0.0" : "127.0.0.1"
  }))
)

/** The domain's use cases with the vault and HMAC from `Config`, over the adapter's ports. */
export const UseCasesLive = Layer.mergeAll(
  Applications.Default,
  Documents.Default,
  ApiKeys.Default,
  AuditTrail.Default
).pipe(
  Layer.provide(Layer.mergeAll(Hmac.Default, FernetKeyRing.layerConfig)),
  Layer.provideMerge(PgLayers.live)
)

/** `/ready` asks the adapter's ping, within the readiness deadline. */
export const ReadinessLive = Layer.effect(
  Readiness.DatabasePing,
  Effect.map(DatabaseHealth.DatabaseHealth, (health) => ({ ping: health.ping(Readiness.TIMEOUT) }))
)

export interface Listening {
  readonly url: string
  readonly docsUrl: string
}

const announce = (onListening: (listening: Listening) => Effect.Effect<void>) =>
  Layer.effectDiscard(
    Effect.flatMap(HttpServer.HttpServer, (server) => {
      const address = server.address
      const host = address._tag === "TcpAddress"
        ? (address.hostname === "0.0.0.0" || address.hostname === "::" ? "localhost" : address.hostname)
        : "localhost"
      const url = address._tag === "TcpAddress" ? `http://${host}:${address.port}` : `unix:${address.path}`
      return onListening({ url, docsUrl: `${url}${Layers.DOCS_PATH}` })
    })
  )

export const logListening = (listening: Listening) =>
  Effect.logInfo("listening").pipe(Effect.annotateLogs({ url: listening.url, docs: listening.docsUrl }))

/**
 * The whole server: logging, then the pool and use cases, then the
 * start-up checks (production refuses here, before a port is opened), then
 * the HTTP server. `onListening` runs once the port is open (the CLI prints
 * the docs URL and, on a first embedded start, the seed keys).
 */
export const layer = (options: {
  readonly onListening?: ((listening: Listening) => Effect.Effect<void>) | undefined
  /** Overrides `PORT`/`HOST` (tests: port 0). */
  readonly settings?: Partial<Settings> | undefined
  /** Where log lines go (stdout by default). */
  readonly logSink?: ((line: string) => void) | undefined
} = {}) =>
  Layer.unwrapEffect(
    Effect.map(settings, (fromConfig) => {
      const resolved = { ...fromConfig, ...options.settings }
      return announce(options.onListening ?? logListening).pipe(
        Layer.provideMerge(Layers.serverLayer({ port: resolved.port, host: resolved.host })),
        Layer.provide(ReadinessLive),
        Layer.provide(Layer.effectDiscard(StartupChecks.check)),
        Layer.provideMerge(UseCasesLive)
      )
    })
  ).pipe(Layer.provide(Logging.layer(options.logSink)))

/** Serves until interrupted (SIGTERM/SIGINT under `NodeRuntime.runMain`). */
export const serve = (options?: Parameters<typeof layer>[0]) => Layer.launch(layer(options))
