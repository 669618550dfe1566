/**
 * Data that is not the seed's, written through the system's own use cases
 * (as the server would), to show that the CLI leaves it alone.
 */
import * as PgLayers from "@loan-ledger/adapters-pg/PgLayers"
import * as Actor from "@loan-ledger/domain/Actor"
import { ApiKeys } from "@loan-ledger/domain/ApiKeys"
import { Applications } from "@loan-ledger/domain/Applications"
import { Documents } from "@loan-ledger/domain/Documents"
import * as FernetKeyRing from "@loan-ledger/domain/FernetKeyRing"
import { Hmac } from "@loan-ledger/domain/Hmac"
import { CreateApplicationRequest } from "@loan-ledger/domain/LoanApplication"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { TestDatabase } from "../../support/database.js"
import * as Fixtures from "../../../packages/cli/src/seed/Fixtures.js"
import { TEST_ENCRYPTION_KEY, TEST_HMAC_SECRET } from "./cli.js"

export const useCases = (db: TestDatabase, encryption = { id: 1, key: TEST_ENCRYPTION_KEY }) =>
  Layer.mergeAll(Applications.Default, Documents.Default, ApiKeys.Default).pipe(
    Layer.provide(Layer.mergeAll(
      Hmac.fromSecret(Redacted.make(TEST_HMAC_SECRET)),
      FernetKeyRing.layer({ current: { id: encryption.id, key: Redacted.make(encryption.key) }, previous: Option.none() })
    )),
    Layer.provideMerge(PgLayers.live),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
      new Map([["DATABASE_URL", db.appUrl], ["DATABASE_ADMIN_URL", db.adminUrl], ["DATABASE_APP_ROLE", db.appRole]])
    )))
  )

/** A loan officer's key, an application with two documents, submitted: events on two chains. */
const otherApplication = (borrowerName: string) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeys
    const applications = yield* Applications
    const documents = yield* Documents
    const created = yield* keys.create(Actor.operator("test"), { role: "loan_officer", expiresInDays: 30 })
    const officer = Actor.apiKey(created.record.id, "loan_officer")
    const request = yield* Schema.decodeUnknown(CreateApplicationRequest)({
      borrowerName,
      ssn: "999-00-1234",
      loanAmount: "123456.78",
      annualIncome: "90000.00",
      monthlyDebts: "1250.00",
      propertyValue: "400000.00",
      loanTermMonths: 180,
      interestRate: "5.5",
      propertyAddress: { street: "1 Test Way", city: "Springfield", state: "IL", zip: "62701" },
      accountNumbers: ["TEST-0001"]
    })
    const application = yield* applications.create(officer, request)
    yield* documents.upload(officer, application.id, { filename: "statement.pdf", content: Fixtures.pdf("Statement", ["test"]) })
    yield* documents.upload(officer, application.id, {
      filename: "photo.png",
      content: Fixtures.png(8, 8, () => [1, 2, 3])
    })
    yield* applications.submit(officer, application.id)
    return { applicationId: application.id, keyId: created.record.id }
  })

export const createOtherApplication = (db: TestDatabase, borrowerName = "Other Borrower") =>
  otherApplication(borrowerName).pipe(Effect.provide(useCases(db)), Effect.scoped, Effect.runPromise)

/** `count` such applications, `concurrency` at a time, on one pool: live traffic while something else reads. */
export const writeConcurrently = (db: TestDatabase, count: number, concurrency = 4) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) => otherApplication(`Concurrent Borrower ${i}`),
    { concurrency }
  ).pipe(Effect.provide(useCases(db)), Effect.scoped, Effect.runPromise)
