/**
 * A `loan_applications` row as the runtime role reads it. Money arrives as
 * int8 text, the rate as NUMERIC text, timestamps as canonical text
 * (TimestampText.ts); the encrypted columns are `Model.Sensitive`, so no
 * JSON variant of the row can ever carry them.
 */
import * as Model from "@effect/sql/Model"
import type { SqlClient } from "@effect/sql/SqlClient"
import * as Schema from "effect/Schema"
import { Status } from "@loan-ledger/domain/ApplicationStatus"
import { ApiKeyId, ApplicationId } from "@loan-ledger/domain/Ids"
import { InterestRateFromString } from "@loan-ledger/domain/InterestRate"
import { BorrowerName, LoanApplication, LoanTermMonths, PropertyAddress } from "@loan-ledger/domain/LoanApplication"
import { Cents } from "@loan-ledger/domain/Money"
import { Last4 } from "@loan-ledger/domain/Pii"
import { TimestampFromText } from "@loan-ledger/domain/Timestamp"
import { CiphertextFromBytea } from "./Bytea.js"
import * as TimestampText from "./TimestampText.js"

const CentsFromText = Schema.compose(Schema.BigInt, Cents)

export class LoanApplicationRow extends Model.Class<LoanApplicationRow>("LoanApplicationRow")({
  id: ApplicationId,
  status: Status,
  borrower_name: BorrowerName,
  ssn_encrypted: Model.Sensitive(CiphertextFromBytea),
  ssn_last4: Last4,
  account_numbers_encrypted: Model.Sensitive(Schema.NullOr(CiphertextFromBytea)),
  government_id_encrypted: Model.Sensitive(Schema.NullOr(CiphertextFromBytea)),
  loan_amount_cents: CentsFromText,
  property_value_cents: CentsFromText,
  annual_income_cents: CentsFromText,
  monthly_debts_cents: CentsFromText,
  interest_rate: InterestRateFromString,
  loan_term_months: LoanTermMonths,
  property_address: PropertyAddress,
  created_by: ApiKeyId,
  created_at: TimestampFromText,
  updated_at: TimestampFromText
}) {}

/** The select list that matches the row model. */
export const columns = (sql: SqlClient) =>
  sql`id::text AS id, status, borrower_name, ssn_encrypted, ssn_last4, account_numbers_encrypted,
    government_id_encrypted, loan_amount_cents::text AS loan_amount_cents,
    property_value_cents::text AS property_value_cents, annual_income_cents::text AS annual_income_cents,
    monthly_debts_cents::text AS monthly_debts_cents, interest_rate::text AS interest_rate, loan_term_months,
    property_address, created_by::text AS created_by, ${TimestampText.select(sql, "created_at")},
    ${TimestampText.select(sql, "updated_at")}`

export const toDomain = (row: LoanApplicationRow): LoanApplication =>
  LoanApplication.make({
    id: row.id,
    borrowerName: row.borrower_name,
    ssnEncrypted: row.ssn_encrypted,
    ssnLast4: row.ssn_last4,
    loanAmountCents: row.loan_amount_cents,
    propertyValueCents: row.property_value_cents,
    annualIncomeCents: row.annual_income_cents,
    monthlyDebtsCents: row.monthly_debts_cents,
    loanTermMonths: row.loan_term_months,
    interestRate: row.interest_rate,
    propertyAddress: row.property_address,
    accountNumbersEncrypted: row.account_numbers_encrypted,
    governmentIdEncrypted: row.government_id_encrypted,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  })
