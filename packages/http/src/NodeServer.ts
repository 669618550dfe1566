/**
 * The Node HTTP server under the API, with the timeouts a public-facing
 * service needs and a graceful stop.
 *
 * When the layer closes (SIGTERM/SIGINT through `NodeRuntime.runMain`), the
 * server first stops accepting connections and closes idle keep-alive ones;
 * requests in flight finish and are answered; only then are the layers
 * below released (the request handler, then the database pool). Connections
 * still busy after the grace period are cut, so a stuck client cannot hold
 * a deployment hostage.
 */
import type * as Etag from "@effect/platform/Etag"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import type * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import * as ClientErrors from "./ClientErrors.js"

export interface Options {
  readonly port: number
  readonly host?: string | undefined
  /** How long requests in flight may take to finish once a stop is requested. */
  readonly shutdownGrace?: Duration.DurationInput | undefined
}

const DEFAULT_GRACE = Duration.seconds(10)

const configure = (server: Http.Server): Http.Server => {
  // A 20 MiB upload over a slow link still fits; a client that trickles headers does not.
  server.requestTimeout = 120_000
  server.headersTimeout = 30_000
  server.keepAliveTimeout = 5_000
  ClientErrors.install(server)
  return server
}

const gracefulStop = (server: Http.Server, grace: Duration.Duration) =>
  Effect.async<void>((resume) => {
    if (!server.listening) {
      resume(Effect.void)
      return
    }
    // Connections that finish their last request while we wait go too.
    const sweep = setInterval(() => server.closeIdleConnections(), 100)
    const deadline = setTimeout(() => server.closeAllConnections(), Duration.toMillis(grace))
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(deadline)
      resume(Effect.void)
    })
  })

export type Provided = HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext

/**
 * Runs `app` (a layer that serves on the `HttpServer`, such as
 * `HttpApiBuilder.serve(...)`) on a new Node server listening per `options`.
 */
export const serve = <E, R>(
  app: Layer.Layer<never, E, R>,
  options: Options
): Layer.Layer<HttpServer.HttpServer, E | HttpServerError.ServeError, Exclude<R, Provided>> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const server = configure(Http.createServer())
      const node = NodeHttpServer.layer(() => server, {
        port: options.port,
        ...(options.host === undefined ? {} : { host: options.host })
      })
      const grace = Duration.decode(options.shutdownGrace ?? DEFAULT_GRACE)
      // Built last, so released first: the stop begins before anything below goes away.
      return Layer.scopedDiscard(Effect.addFinalizer(() => gracefulStop(server, grace))).pipe(
        Layer.provideMerge(app),
        Layer.provideMerge(node)
      )
    })
  ) as Layer.Layer<HttpServer.HttpServer, E | HttpServerError.ServeError, Exclude<R, Provided>>
