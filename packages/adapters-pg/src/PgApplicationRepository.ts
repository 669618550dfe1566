/**
 * `ApplicationRepository` on `loan_applications`. Lists are newest first
 * with a `created_at:id` keyset cursor; the timestamp travels as canonical
 * text with all six fractional digits, so the next page starts exactly
 * after the last row even when several rows share a millisecond.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ApplicationRepository } from "@loan-ledger/domain/ApplicationRepository"
import type { ApplicationId } from "@loan-ledger/domain/Ids"
import { toNumeric } from "@loan-ledger/domain/InterestRate"
import type { LoanApplication } from "@loan-ledger/domain/LoanApplication"
import { requireTransaction, statement } from "./ActiveTransaction.js"
import * as KeysetCursor from "./KeysetCursor.js"
import * as LoanApplicationRow from "./LoanApplicationRow.js"
import * as Rows from "./Rows.js"

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const columns = LoanApplicationRow.columns(sql)
  const { all: toDomain, first } = Rows.reader(
    LoanApplicationRow.LoanApplicationRow,
    "loan application",
    LoanApplicationRow.toDomain
  )

  const insert = (app: LoanApplication) =>
    sql`INSERT INTO loan_applications (id, status, borrower_name, ssn_encrypted, ssn_last4,
        account_numbers_encrypted, government_id_encrypted, loan_amount_cents, property_value_cents,
        annual_income_cents, monthly_debts_cents, interest_rate,
        loan_term_months, property_address, created_by, created_at, updated_at)
      VALUES (${app.id}, ${app.status}, ${app.borrowerName}, ${app.ssnEncrypted}, ${app.ssnLast4},
        ${app.accountNumbersEncrypted}, ${app.governmentIdEncrypted}, ${app.loanAmountCents.toString()}::bigint,
        ${app.propertyValueCents.toString()}::bigint, ${app.annualIncomeCents.toString()}::bigint,
        ${app.monthlyDebtsCents.toString()}::bigint, ${toNumeric(app.interestRate)}::numeric,
        ${app.loanTermMonths}, ${JSON.stringify(app.propertyAddress)}::jsonb, ${app.createdBy},
        ${app.createdAt}::timestamptz, ${app.updatedAt}::timestamptz)`.pipe(
      statement("insert loan application"),
      Effect.asVoid,
      requireTransaction("inserting an application")
    )

  const findById = (id: ApplicationId) =>
    sql`SELECT ${columns} FROM loan_applications WHERE id = ${id}`.pipe(
      statement("read loan application"),
      Effect.flatMap(first)
    )

  // The row lock is what makes a state check hold until COMMIT: a second
  // writer of the same application waits here (bounded by lock_timeout).
  const findByIdForUpdate = (id: ApplicationId) =>
    sql`SELECT ${columns} FROM loan_applications WHERE id = ${id} FOR UPDATE`.pipe(
      statement("lock loan application"),
      Effect.flatMap(first),
      requireTransaction("reading an application FOR UPDATE")
    )

  const list: ApplicationRepository["Type"]["list"] = (query) =>
    Effect.gen(function*() {
      const limit = yield* KeysetCursor.checkLimit(query.page)
      const after = yield* KeysetCursor.decodeRequest(query.page, KeysetCursor.decodeTimeAndId)
      const conditions = [
        ...Option.toArray(Option.map(query.createdBy, (keyId) => sql`created_by = ${keyId}`)),
        ...Option.toArray(Option.map(query.status, (status) => sql`status = ${status}`)),
        ...Option.toArray(
          Option.map(after, (key) => sql`(created_at, id) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`)
        )
      ]
      const rows = yield* sql`SELECT ${columns} FROM loan_applications WHERE ${sql.and(conditions)}
        ORDER BY loan_applications.created_at DESC, loan_applications.id DESC LIMIT ${limit + 1}`.pipe(
        statement("list loan applications")
      )
      const apps = yield* toDomain(rows)
      return KeysetCursor.toPage(apps, limit, (last) => KeysetCursor.encodeTimeAndId(last))
    })

  const updateStatus: ApplicationRepository["Type"]["updateStatus"] = (id, status, updatedAt) =>
    sql`UPDATE loan_applications SET status = ${status}, updated_at = ${updatedAt}::timestamptz
      WHERE id = ${id} RETURNING id`.pipe(
      statement("update application status"),
      Effect.flatMap((rows) =>
        rows.length === 1 ? Effect.void : Effect.dieMessage(`application ${id} to update does not exist`)
      ),
      requireTransaction("updating an application")
    )

  return ApplicationRepository.of({ insert, findById, findByIdForUpdate, list, updateStatus })
})

export const layer: Layer.Layer<ApplicationRepository, never, SqlClient.SqlClient> = Layer.effect(
  ApplicationRepository,
  make
)
