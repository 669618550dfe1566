import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Applications } from "@loan-ledger/domain/Applications"
import { Documents } from "@loan-ledger/domain/Documents"
import { CreateApplicationRequest, toView } from "@loan-ledger/domain/LoanApplication"
import { toView as documentView } from "@loan-ledger/domain/LoanDocument"
import * as Pagination from "@loan-ledger/domain/Pagination"
import { LoanLedgerApi } from "../Api.js"
import { CurrentActor } from "../Authentication.js"
import * as Envelope from "../Envelope.js"
import { asInvalidQuery } from "../Problems.js"
import * as RequestBody from "../RequestBody.js"
import * as Respond from "../Respond.js"
import {
  ApplicationDetailEnvelope,
  ApplicationEnvelope,
  ApplicationPage,
  StatusChange
} from "./Api.js"

export const location = (id: string) => `/v1/applications/${id}`

export const ApplicationsLive = HttpApiBuilder.group(LoanLedgerApi, "applications", (handlers) =>
  Effect.gen(function* () {
    const applications = yield* Applications
    const documents = yield* Documents

    return handlers
      .handleRaw("create", () =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const request = yield* RequestBody.decodeJson(CreateApplicationRequest)
          const application = yield* applications.create(actor, request)
          return yield* Respond.created(ApplicationEnvelope, Envelope.data(toView(application)), location(application.id))
        })
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const page = yield* applications
            .list(actor, {
              status: Option.fromNullable(urlParams.status),
              page: { cursor: Option.fromNullable(urlParams.cursor), limit: urlParams.limit }
            })
            .pipe(asInvalidQuery)
          return yield* Respond.ok(ApplicationPage, Envelope.page(Pagination.map(page, toView)))
        })
      )
      .handle("get", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const application = yield* applications.get(actor, path.id)
          // At most 25 documents per application: the first page is all of them.
          const attached = yield* documents
            .list(actor, application.id, Pagination.firstPage(Pagination.MAX_LIMIT))
            .pipe(Effect.catchTag("ValidationError", (e) => Effect.die(e)))
          return yield* Respond.ok(
            ApplicationDetailEnvelope,
            Envelope.data({ ...toView(application), documents: attached.items.map(documentView) })
          )
        })
      )
      .handleRaw("changeStatus", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const { status } = yield* RequestBody.decodeJson(StatusChange)
          const application = status === "submitted"
            ? yield* applications.submit(actor, path.id)
            : yield* applications.withdraw(actor, path.id)
          return yield* Respond.ok(ApplicationEnvelope, Envelope.data(toView(application)))
        })
      )
      .handle("retry", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const application = yield* applications.retry(actor, path.id)
          return yield* Respond.accepted(ApplicationEnvelope, Envelope.data(toView(application)))
        })
      )
  })
)
