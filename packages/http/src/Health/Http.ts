import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { LoanLedgerApi } from "../Api.js"
import * as Readiness from "../Readiness.js"

export const HealthLive = HttpApiBuilder.group(LoanLedgerApi, "health", (handlers) =>
  handlers
    .handle("health", () => Effect.succeed({ status: "ok" as const }))
    .handle("ready", () =>
      Effect.map(Readiness.check, (report) =>
        report.ready
          ? { status: "ok" as const, checks: { database: report.database } }
          : HttpServerResponse.unsafeJson(
              { status: "degraded", checks: { database: report.database } },
              { status: 503 }
            )
      )
    )
)
