/** Small fetch helpers for tests over real HTTP. */

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

export const request = async (
  url: string,
  init: RequestInit & { readonly key?: string | undefined } = {}
): Promise<Answer> => {
  const headers = new Headers(init.headers)
  if (init.key !== undefined) headers.set("authorization", `Bearer ${init.key}`)
  const response = await fetch(url, { ...init, headers })
  const text = await response.text()
  let json: unknown = undefined
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export const jsonBody = (value: unknown): RequestInit => ({
  body: JSON.stringify(value),
  headers: { "content-type": "application/json" }
})

export const application = (overrides: Record<string, unknown> = {}) => ({
  borrowerName: "Jane Q. Borrower",
  ssn: "900-12-3456",
  loanAmount: "250000.00",
  annualIncome: "98000.50",
  monthlyDebts: "1250.00",
  propertyValue: "400000.00",
  loanTermMonths: 360,
  interestRate: "6.875",
  propertyAddress: { street: "1 Test Way", city: "Springfield", state: "IL", zip: "62701" },
  accountNumbers: ["DE89370400440532013000", "12345678"],
  governmentId: "X1234567",
  ...overrides
})

/** A minimal, structurally complete PDF. */
export const pdf = (body = "1 0 obj << >> endobj"): Uint8Array =>
  new TextEncoder().encode(`%PDF-1.7\n${body}\ntrailer << >>\nstartxref\n0\n%%EOF\n`)

export const upload = (bytes: Uint8Array, filename = "scan.pdf", field = "document", type = "application/pdf") => {
  const form = new FormData()
  form.append(field, new Blob([bytes], { type }), filename)
  return form
}
