/**
 * Composition of the HTTP shell: the contract's handlers, the middleware
 * around them and the Node server. The ports the handlers need (domain use
 * cases and repositories, readiness) are left as requirements, provided by
 * whoever runs the server: the PostgreSQL adapter in production
 * (`Main.ts`), in-memory layers in unit tests.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LoanLedgerApi } from "./Api.js"
import { HealthLive } from "./Health/Http.js"
import * as NodeServer from "./NodeServer.js"
import * as ProblemRenderer from "./ProblemRenderer.js"
import * as RequestLifecycle from "./RequestLifecycle.js"
import * as SwaggerUi from "./SwaggerUi.js"

export const OPENAPI_PATH = "/openapi.json"

/** Every failure of a route becomes a problem document before HttpApi would encode it. */
export const ProblemsLive = HttpApiBuilder.middleware(
  LoanLedgerApi,
  Effect.sync(() => {
    const render = ProblemRenderer.make(ProblemRenderer.registryOf(LoanLedgerApi))
    return (app: HttpApp.Default): HttpApp.Default<never, HttpRouter.HttpRouter.Provided> =>
      Effect.catchAllCause(app, render)
  })
)

export const ApiLive = HttpApiBuilder.api(LoanLedgerApi).pipe(Layer.provide(HealthLive))

/** The API with its documentation routes, served through the request lifecycle middleware. */
export const HttpLive = HttpApiBuilder.serve(RequestLifecycle.middleware).pipe(
  Layer.provide(SwaggerUi.layer({ title: "loan-ledger API", specPath: OPENAPI_PATH })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: OPENAPI_PATH })),
  Layer.provide(ProblemsLive),
  Layer.provide(ApiLive)
)

export const serverLayer = (options: NodeServer.Options) => NodeServer.serve(HttpLive, options)
