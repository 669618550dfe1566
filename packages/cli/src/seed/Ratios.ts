/**
 * The two ratios the seed agents quote, computed from the seed figures so
 * the narrative matches the numbers:
 *
 * - DTI: (monthly debts + the new loan's principal-and-interest payment) /
 *   monthly gross income (the back-end ratio, without taxes and insurance);
 * - LTV: loan amount / property value.
 *
 * Percentages with one decimal, for a text: floats are fine here, nothing is
 * stored from them.
 */
import type { SeedApplication } from "./SeedData.js"

const amount = (decimal: string) => Number(decimal)

export const monthlyPayment = (principal: number, annualRatePercent: number, months: number): number => {
  const r = annualRatePercent / 100 / 12
  return r === 0 ? principal / months : (principal * r) / (1 - (1 + r) ** -months)
}

const percent = (ratio: number) => `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`

export const ratios = (app: SeedApplication): { readonly dti: string; readonly ltv: string } => {
  const payment = monthlyPayment(amount(app.loanAmount), amount(app.interestRate), app.loanTermMonths)
  const income = amount(app.annualIncome) / 12
  return {
    dti: percent((amount(app.monthlyDebts) + payment) / income),
    ltv: percent(amount(app.loanAmount) / amount(app.propertyValue))
  }
}

/** `text` with `{dti}` and `{ltv}` replaced by the application's ratios. */
export const fill = (app: SeedApplication, text: string): string => {
  const { dti, ltv } = ratios(app)
  return text.replaceAll("{dti}", dti).replaceAll("{ltv}", ltv)
}
