/**
 * What happens around every request, whatever route (if any) handles it:
 * the correlation id is chosen and echoed, headers that keep borrower data
 * out of caches are set, and exactly one access log line is written.
 *
 * The log line holds the method, the path without its query, the status,
 * the duration and the request id: never a header (Authorization carries
 * keys), never a body, never a query string.
 *
 * At this level the response has already been written by the time the
 * wrapped app returns, so headers are added through a pre-response handler,
 * which the server runs just before writing.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { safeInstance } from "./ProblemRenderer.js"
import * as RequestId from "./RequestId.js"

/** Status logged for a request whose client went away before the answer. */
const CLIENT_CLOSED = 499

const withCommonHeaders = (requestId: string): HttpApp.PreResponseHandler => (_request, response) =>
  Effect.succeed(
    HttpServerResponse.setHeaders(response, {
      [RequestId.HEADER]: requestId,
      "x-content-type-options": "nosniff",
      // API answers carry borrower data: no shared or browser cache may keep them.
      ...(response.headers["cache-control"] === undefined ? { "cache-control": "no-store" } : {})
    })
  )

const statusOf = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>): number =>
  Exit.isSuccess(exit) ? exit.value.status : Cause.isInterruptedOnly(exit.cause) ? CLIENT_CLOSED : 500

/**
 * The middleware; `pathWords` are the fixed words of the served paths, the
 * only path segments logged as they are (UUIDs aside): anything else a
 * client typed into a path is logged as `*`.
 */
export const make = (pathWords: ReadonlySet<string>) => HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const requestId = RequestId.choose(request.headers[RequestId.HEADER])
    const started = performance.now()
    return yield* app.pipe(
      HttpApp.withPreResponseHandler(withCommonHeaders(requestId)),
      Effect.onExit((exit) =>
        Effect.logInfo("request").pipe(
          Effect.annotateLogs({
            method: request.method,
            path: safeInstance(request.url, pathWords),
            status: statusOf(exit),
            durationMs: Math.round((performance.now() - started) * 10) / 10
          })
        )
      ),
      Effect.provideService(RequestId.CurrentRequestId, requestId),
      Effect.annotateLogs("requestId", requestId)
    )
  })
)
