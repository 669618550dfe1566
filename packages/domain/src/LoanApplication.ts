/**
 * A loan application: the aggregate, the request that creates it and the
 * view shells return. Money is bigint cents inside and decimal strings
 * outside; PII is a ciphertext inside and a mask outside.
 */
import * as Schema from "effect/Schema"
import { Status } from "./ApplicationStatus.js"
import { isStorableText } from "./CanonicalJson.js"
import { ApiKeyId, ApplicationId } from "./Ids.js"
import { InterestRate, InterestRateFromString } from "./InterestRate.js"
import { Cents, format as formatMoney, MoneyFromString } from "./Money.js"
import { AccountNumbers, GovernmentId, Last4, maskSsn, REDACTED, Ssn } from "./Pii.js"
import { Ciphertext } from "./PiiVault.js"
import { Timestamp } from "./Timestamp.js"

const text = (min: number, max: number) =>
  Schema.String.pipe(
    Schema.minLength(min, { message: () => (min === 1 ? "must not be empty" : `must be at least ${min} characters`) }),
    Schema.maxLength(max, { message: () => `must be at most ${max} characters` }),
    Schema.filter((s) => isStorableText(s) || "contains characters that cannot be stored")
  )

export const BorrowerName = text(1, 500)

/** `property_address` JSONB: a US address (Phase 1 lends in the US only). */
export const PropertyAddress = Schema.Struct({
  street: text(1, 200),
  city: text(1, 100),
  state: Schema.String.pipe(
    Schema.pattern(/^[A-Z]{2}$/, { message: () => "must be a two-letter state code such as CA" })
  ),
  zip: Schema.String.pipe(
    Schema.pattern(/^[0-9]{5}(-[0-9]{4})?$/, { message: () => "must be a ZIP code of the form NNNNN or NNNNN-NNNN" })
  )
})
export type PropertyAddress = typeof PropertyAddress.Type

export const LoanTermMonths = Schema.Int.pipe(
  Schema.between(1, 600, { message: () => "must be a whole number of months from 1 to 600" })
)

/** A positive loan amount: a loan of zero is not a loan. */
const PositiveCents = Cents.pipe(Schema.filter((c) => c > 0n || "must be greater than zero"))

export class LoanApplication extends Schema.Class<LoanApplication>("LoanApplication")({
  id: ApplicationId,
  borrowerName: BorrowerName,
  ssnEncrypted: Ciphertext,
  ssnLast4: Last4,
  loanAmountCents: Cents,
  propertyValueCents: Cents,
  annualIncomeCents: Cents,
  monthlyDebtsCents: Cents,
  loanTermMonths: LoanTermMonths,
  interestRate: InterestRate,
  propertyAddress: PropertyAddress,
  accountNumbersEncrypted: Schema.NullOr(Ciphertext),
  governmentIdEncrypted: Schema.NullOr(Ciphertext),
  status: Status,
  /** The API key that created it: a loan officer sees only its own. */
  createdBy: ApiKeyId,
  createdAt: Timestamp,
  updatedAt: Timestamp
}) {}

/** The body of "create application" (JSON camelCase); PII decodes straight into Redacted. */
export const CreateApplicationRequest = Schema.Struct({
  borrowerName: BorrowerName,
  ssn: Ssn,
  annualIncome: MoneyFromString,
  monthlyDebts: MoneyFromString,
  loanAmount: MoneyFromString.pipe(Schema.compose(PositiveCents)),
  propertyValue: MoneyFromString.pipe(Schema.compose(PositiveCents)),
  loanTermMonths: LoanTermMonths,
  interestRate: InterestRateFromString,
  propertyAddress: PropertyAddress,
  accountNumbers: Schema.optional(AccountNumbers),
  governmentId: Schema.optional(GovernmentId)
})
export type CreateApplicationRequest = typeof CreateApplicationRequest.Type

/** What shells show of an application: amounts as strings, PII masked. */
export const ApplicationView = Schema.Struct({
  id: ApplicationId,
  borrowerName: Schema.String,
  ssn: Schema.String,
  annualIncome: Schema.String,
  monthlyDebts: Schema.String,
  loanAmount: Schema.String,
  propertyValue: Schema.String,
  loanTermMonths: Schema.Int,
  interestRate: Schema.String,
  propertyAddress: PropertyAddress,
  accountNumbers: Schema.NullOr(Schema.String),
  governmentId: Schema.NullOr(Schema.String),
  status: Status,
  createdBy: ApiKeyId,
  createdAt: Timestamp,
  updatedAt: Timestamp
})
export type ApplicationView = typeof ApplicationView.Type

export const toView = (app: LoanApplication): ApplicationView => ({
  id: app.id,
  borrowerName: app.borrowerName,
  ssn: maskSsn(app.ssnLast4),
  annualIncome: formatMoney(app.annualIncomeCents),
  monthlyDebts: formatMoney(app.monthlyDebtsCents),
  loanAmount: formatMoney(app.loanAmountCents),
  propertyValue: formatMoney(app.propertyValueCents),
  loanTermMonths: app.loanTermMonths,
  interestRate: app.interestRate,
  propertyAddress: app.propertyAddress,
  accountNumbers: app.accountNumbersEncrypted === null ? null : REDACTED,
  governmentId: app.governmentIdEncrypted === null ? null : REDACTED,
  status: app.status,
  createdBy: app.createdBy,
  createdAt: app.createdAt,
  updatedAt: app.updatedAt
})
