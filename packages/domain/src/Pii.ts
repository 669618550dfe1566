/**
 * PII values as they enter the system, and how they are shown. They are
 * `Redacted` from the moment they are parsed, so no log line, error or JSON
 * encoding can print them by accident. Responses show the SSN's last four
 * (stored in clear, as the Phase-1 design does) and `[REDACTED]` otherwise.
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

export const REDACTED = "[REDACTED]"

const SSN = /^([0-9]{3})-([0-9]{2})-([0-9]{4})$/

/** Format only (the seed uses the 900-999 test range): exactly NNN-NN-NNNN, as the API documents it. */
export const SsnText = Schema.transform(
  Schema.String.pipe(Schema.pattern(SSN, { message: () => "must be a social security number of the form NNN-NN-NNNN" })),
  Schema.String,
  {
    strict: true,
    decode: (s) => s.replace(SSN, "$1-$2-$3"),
    encode: (s) => s
  }
)

/** An SSN, redacted from the moment it is decoded. */
export const Ssn = Schema.Redacted(SsnText)
export type Ssn = Redacted.Redacted<string>

export const Last4 = Schema.String.pipe(
  Schema.pattern(/^[0-9]{4}$/, { message: () => "must be four digits" }),
  Schema.brand("SsnLast4")
)
export type Last4 = typeof Last4.Type

/** The last four digits of a decoded (normalised) SSN. */
export const ssnLast4 = (ssn: Ssn): Last4 => Redacted.value(ssn).slice(-4) as Last4

/** How an SSN appears in responses. */
export const maskSsn = (last4: Last4): string => `***-**-${last4}`

export const AccountNumber = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(34, { message: () => "must be at most 34 characters" }),
  Schema.pattern(/^[A-Za-z0-9 -]+$/, { message: () => "may contain letters, digits, spaces and hyphens only" })
)

export const AccountNumbers = Schema.Redacted(
  Schema.Array(AccountNumber).pipe(Schema.maxItems(10, { message: () => "must hold at most 10 account numbers" }))
)

export const GovernmentId = Schema.Redacted(
  Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(200, { message: () => "must be at most 200 characters" })
  )
)
