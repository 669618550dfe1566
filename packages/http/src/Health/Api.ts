/**
 * Liveness and readiness, outside `/v1` and without authentication: they
 * are asked by load balancers and orchestrators, and say nothing about data.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"

export const Liveness = Schema.Struct({ status: Schema.Literal("ok") }).annotations({ identifier: "Liveness" })

export const Readiness = Schema.Struct({
  status: Schema.Literal("ok", "degraded"),
  checks: Schema.Struct({ database: Schema.Literal("ok", "unreachable") })
}).annotations({ identifier: "Readiness" })

export class HealthApi extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(Liveness)
      .annotate(OpenApi.Summary, "Liveness: the process answers")
  )
  .add(
    HttpApiEndpoint.get("ready", "/ready")
      .addSuccess(Readiness)
      // Not a problem document: orchestrators read the same shape in both cases.
      .addError(Readiness, { status: 503 })
      .annotate(OpenApi.Summary, "Readiness: PostgreSQL answers within a short timeout")
  )
  .annotate(OpenApi.Title, "Health")
{}
