/**
 * Composition of the HTTP shell: the contract's handlers, the middleware
 * around them and the Node server. The ports the handlers need (the
 * domain's use cases, database readiness) stay requirements, provided by
 * whoever runs the server: the PostgreSQL adapter in production (Main.ts),
 * the domain's in-memory layers in fast tests.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ApiKeysLive } from "./ApiKeys/Http.js"
import { LoanLedgerApi } from "./Api.js"
import { ApplicationsLive } from "./Applications/Http.js"
import { AuditEventsLive } from "./AuditEvents/Http.js"
import { AuthenticationLive } from "./AuthenticationLive.js"
import { DocumentsLive } from "./Documents/Http.js"
import { HealthLive } from "./Health/Http.js"
import * as NodeServer from "./NodeServer.js"
import * as ProblemRenderer from "./ProblemRenderer.js"
import * as RequestLifecycle from "./RequestLifecycle.js"
import * as SwaggerUi from "./SwaggerUi.js"
import { UploadSlots } from "./Upload.js"

export const OPENAPI_PATH = "/openapi.json"
export const DOCS_PATH = SwaggerUi.PATH

/** Every failure of a route becomes a problem document before HttpApi would encode it. */
export const ProblemsLive = HttpApiBuilder.middleware(
  LoanLedgerApi,
  Effect.sync(() => {
    const render = ProblemRenderer.make(LoanLedgerApi)
    return (app: HttpApp.Default): HttpApp.Default<never, HttpRouter.HttpRouter.Provided> =>
      Effect.catchAllCause(app, render)
  })
)

export const GroupsLive = Layer.mergeAll(
  HealthLive,
  ApplicationsLive,
  DocumentsLive.pipe(Layer.provide(UploadSlots.layer)),
  AuditEventsLive,
  ApiKeysLive
).pipe(Layer.provide(AuthenticationLive))

export const ApiLive = HttpApiBuilder.api(LoanLedgerApi).pipe(Layer.provide(GroupsLive))

/** The API with its documentation routes, served through the request lifecycle middleware. */
const pathWords = new Set([...ProblemRenderer.pathWordsOf(LoanLedgerApi), DOCS_PATH.slice(1), OPENAPI_PATH.slice(1)])

export const HttpLive = HttpApiBuilder.serve(RequestLifecycle.make(pathWords)).pipe(
  Layer.provide(SwaggerUi.layer({ title: "loan-ledger API", specPath: OPENAPI_PATH })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: OPENAPI_PATH })),
  Layer.provide(ProblemsLive),
  Layer.provide(ApiLive),
  // No trace exporter is configured: the platform's per-request span would
  // cost time and copy request headers and query strings into span
  // attributes for nobody. Enable it together with an exporter.
  HttpMiddleware.withTracerDisabledWhen(() => true)
)

/** The HTTP shell on a Node server; its requirements are the domain's use cases and `DatabasePing`. */
export const serverLayer = (options: NodeServer.Options) => NodeServer.serve(HttpLive, options)
