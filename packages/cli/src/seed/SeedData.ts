/**
 * The Phase-1 demo data, as plain data: fixed ids (so `seed` is idempotent
 * and `seed --remove` knows exactly what is its own), the three seed keys and
 * the twelve applications of issue 5 with realistic figures.
 *
 * Every SSN is in the 900-999 area range, which the SSA never issues; every
 * account number, government id and address is invented. Amounts are the
 * API's decimal strings and decode through the same schemas as an API
 * request, so the seed cannot hold a value the system would refuse.
 */
import type { Status } from "@loan-ledger/domain/ApplicationStatus"
import type { Role } from "@loan-ledger/domain/Role"

// Ids: `5eed` marks seed rows to a human reading the database; the rest is a valid v4 UUID.
const keyId = (n: number) => `5eed0000-0000-4000-8000-${n.toString().padStart(12, "0")}`
const applicationId = (n: number) => `5eed0001-0000-4000-8000-${n.toString().padStart(12, "0")}`
const documentId = (application: number, n: number) =>
  `5eed0002-0000-4000-8000-${(application * 100 + n).toString().padStart(12, "0")}`

/** Seed keys expire this long after the run that creates them. */
export const SEED_KEY_LIFETIME_HOURS = 24

export interface SeedKey {
  readonly id: string
  readonly role: Role
  readonly description: string
}

export const keys = {
  loanOfficer: { id: keyId(1), role: "loan_officer", description: "SEED - Loan Officer (Maria)" },
  seniorUnderwriter: { id: keyId(2), role: "senior_underwriter", description: "SEED - Senior Underwriter (James)" },
  reviewer: { id: keyId(3), role: "reviewer", description: "SEED - Reviewer (Admin)" }
} as const satisfies Record<string, SeedKey>

export const allKeys: ReadonlyArray<SeedKey> = [keys.loanOfficer, keys.seniorUnderwriter, keys.reviewer]

/** The routing thresholds of migration 007, restored by the seed when a row is missing. */
export const thresholds = [
  { name: "auto_approve_min", value: "0.850" },
  { name: "escalate_below", value: "0.600" }
] as const

export type DocumentKind =
  | { readonly _tag: "Pdf"; readonly title: string; readonly lines: ReadonlyArray<string> }
  | { readonly _tag: "Png"; readonly width: number; readonly height: number; readonly tint: readonly [number, number, number] }
  | { readonly _tag: "Jpeg"; readonly blocksWide: number; readonly blocksHigh: number; readonly base: number }

export interface SeedDocument {
  readonly id: string
  readonly filename: string
  readonly mediaType: "application/pdf" | "image/jpeg" | "image/png"
  readonly content: DocumentKind
}

/**
 * One agent's opinion, as the Phase-1 pipeline records it. Figures in
 * `reasoning` are ratios, never amounts: `{dti}` and `{ltv}` are filled in
 * from the application's own figures (Ratios.ts), so the story is consistent.
 */
export interface AgentDecision {
  readonly agent: "document_processor" | "credit_analyst" | "risk_assessor" | "fraud_detector"
  readonly confidence: string
  readonly recommendation: "approve" | "deny" | "review" | "flag"
  readonly reasoning: string
}

/**
 * How the application reached its status after submission. The audit trail
 * (AuditTrail.ts) is derived from it; statuses it cannot reach are refused
 * by the Lifecycle when the trail is built.
 */
export type Outcome =
  | { readonly _tag: "Draft" }
  | { readonly _tag: "Processing" }
  | { readonly _tag: "ProcessingError"; readonly failedAgent: string; readonly reason: string }
  | {
    readonly _tag: "Decided"
    readonly decisions: ReadonlyArray<AgentDecision>
    /** The routing result: auto-approval, or escalation to a human with a reason code. */
    readonly route:
      | { readonly _tag: "AutoApprove"; readonly confidence: string }
      | {
        readonly _tag: "Escalate"
        readonly confidence: string
        readonly reason: "low_confidence" | "agent_conflict" | "fraud_flag" | "policy_exception"
        readonly detail: string
      }
    /** After escalation: what the senior underwriter (or the borrower) did, if anything yet. */
    readonly review?:
      | { readonly _tag: "Approved"; readonly reasoning: string }
      | { readonly _tag: "Denied"; readonly reasoning: string }
      | { readonly _tag: "Withdrawn"; readonly reasoning: string }
  }

export interface SeedApplication {
  readonly id: string
  readonly borrowerName: string
  readonly ssn: string
  readonly loanAmount: string
  readonly propertyValue: string
  readonly annualIncome: string
  /** Monthly debt payments excluding the new mortgage; feeds the DTI the agents report. */
  readonly monthlyDebts: string
  readonly creditScore: number
  readonly loanTermMonths: number
  readonly interestRate: string
  readonly propertyAddress: {
    readonly street: string
    readonly city: string
    readonly state: string
    readonly zip: string
  }
  readonly accountNumbers?: ReadonlyArray<string>
  readonly governmentId?: string
  readonly status: Status
  readonly documents: ReadonlyArray<SeedDocument>
  readonly outcome: Outcome
}

const payStub = (n: number, d: number, name: string, employer: string, gross: string): SeedDocument => ({
  id: documentId(n, d),
  filename: "pay_stub_2025-05.pdf",
  mediaType: "application/pdf",
  content: {
    _tag: "Pdf",
    title: "Earnings Statement - May 2025",
    lines: [`Employee: ${name}`, `Employer: ${employer}`, `Gross pay this period: ${gross}`, "SAMPLE DOCUMENT - TEST DATA ONLY"]
  }
})

const bankStatement = (n: number, d: number, name: string, bank: string, balance: string): SeedDocument => ({
  id: documentId(n, d),
  filename: "bank_statement_2025-04.pdf",
  mediaType: "application/pdf",
  content: {
    _tag: "Pdf",
    title: `${bank} - Account Statement April 2025`,
    lines: [`Account holder: ${name}`, `Closing balance: ${balance}`, "SAMPLE DOCUMENT - TEST DATA ONLY"]
  }
})

const idScan = (n: number, d: number, base: number): SeedDocument => ({
  id: documentId(n, d),
  filename: "photo_id_scan.jpg",
  mediaType: "image/jpeg",
  content: { _tag: "Jpeg", blocksWide: 12, blocksHigh: 8, base }
})

const propertyPhoto = (n: number, d: number, tint: readonly [number, number, number]): SeedDocument => ({
  id: documentId(n, d),
  filename: "property_front.png",
  mediaType: "image/png",
  content: { _tag: "Png", width: 96, height: 64, tint }
})

const appraisal = (n: number, d: number, street: string, value: string): SeedDocument => ({
  id: documentId(n, d),
  filename: "appraisal_summary.pdf",
  mediaType: "application/pdf",
  content: {
    _tag: "Pdf",
    title: "Uniform Residential Appraisal - Summary",
    lines: [`Subject property: ${street}`, `Opinion of market value: ${value}`, "SAMPLE DOCUMENT - TEST DATA ONLY"]
  }
})

const decision = (
  agent: AgentDecision["agent"],
  confidence: string,
  recommendation: AgentDecision["recommendation"],
  reasoning: string
): AgentDecision => ({ agent, confidence, recommendation, reasoning })

export const applications: ReadonlyArray<SeedApplication> = [
  {
    id: applicationId(1),
    borrowerName: "Emily Chen",
    ssn: "900-12-3401",
    loanAmount: "320000.00",
    propertyValue: "410000.00",
    annualIncome: "128000.00",
    monthlyDebts: "650.00",
    creditScore: 782,
    loanTermMonths: 360,
    interestRate: "6.375",
    propertyAddress: { street: "1420 NW Glisan St", city: "Portland", state: "OR", zip: "97209" },
    accountNumbers: ["4401-2291-0057"],
    status: "approved",
    documents: [
      payStub(1, 1, "Emily Chen", "Cascadia Software LLC", "5,333.33"),
      bankStatement(1, 2, "Emily Chen", "Willamette Valley Bank", "48,210.55"),
      idScan(1, 3, 150)
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.970", "approve", "All required documents present and legible; income matches the pay stub."),
        decision("credit_analyst", "0.940", "approve", "Credit score band excellent; DTI {dti} within the 43% limit; LTV {ltv}."),
        decision("risk_assessor", "0.920", "approve", "Stable W-2 income over 3 years; reserves cover 9 months of payments."),
        decision("fraud_detector", "0.990", "approve", "No identity or document anomalies detected.")
      ],
      route: { _tag: "AutoApprove", confidence: "0.920" }
    }
  },
  {
    id: applicationId(2),
    borrowerName: "David Park",
    ssn: "901-34-5602",
    loanAmount: "275000.00",
    propertyValue: "345000.00",
    annualIncome: "112500.00",
    monthlyDebts: "480.00",
    creditScore: 755,
    loanTermMonths: 360,
    interestRate: "6.500",
    propertyAddress: { street: "88 Maple Grove Dr", city: "Columbus", state: "OH", zip: "43215" },
    status: "approved",
    documents: [
      payStub(2, 1, "David Park", "Buckeye Logistics Inc", "4,687.50"),
      appraisal(2, 2, "88 Maple Grove Dr, Columbus, OH", "345,000.00")
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.950", "approve", "Pay stub and appraisal complete and consistent."),
        decision("credit_analyst", "0.900", "approve", "Credit score band very good; DTI {dti}; LTV {ltv}."),
        decision("risk_assessor", "0.880", "approve", "Property value supported by three comparable sales."),
        decision("fraud_detector", "0.980", "approve", "No anomalies detected.")
      ],
      route: { _tag: "AutoApprove", confidence: "0.880" }
    }
  },
  {
    id: applicationId(3),
    borrowerName: "Sarah Johnson",
    ssn: "902-56-7803",
    loanAmount: "450000.00",
    propertyValue: "600000.00",
    annualIncome: "185000.00",
    monthlyDebts: "1100.00",
    creditScore: 768,
    loanTermMonths: 360,
    interestRate: "6.250",
    propertyAddress: { street: "2750 Lakeshore Blvd", city: "Austin", state: "TX", zip: "78746" },
    // Five accounts: checking, savings, brokerage, 401(k), IRA — the largest account-number ciphertext.
    accountNumbers: ["021000021-884213570", "021000021-884213589", "BRK-77310-4420-19", "401K-PLAN-5530-0092-77", "IRA-ROTH-3318-604-2"],
    status: "approved",
    documents: [
      payStub(3, 1, "Sarah Johnson", "Lone Star Medical Group", "7,708.33"),
      bankStatement(3, 2, "Sarah Johnson", "Hill Country Credit Union", "96,440.10"),
      propertyPhoto(3, 3, [210, 190, 160])
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.960", "approve", "Documents complete; five asset accounts verified against statements."),
        decision("credit_analyst", "0.880", "approve", "Credit score band very good; DTI {dti}; LTV {ltv}."),
        decision("risk_assessor", "0.710", "review", "Loan amount above the conforming limit for the county; manual sign-off required."),
        decision("fraud_detector", "0.970", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.710",
        reason: "policy_exception",
        detail: "Jumbo loan: policy requires a senior underwriter's approval."
      },
      review: { _tag: "Approved", reasoning: "Jumbo exception approved: strong reserves and DTI well below the limit." }
    }
  },
  {
    id: applicationId(4),
    borrowerName: "Robert Williams",
    ssn: "903-78-9004",
    loanAmount: "600000.00",
    propertyValue: "680000.00",
    annualIncome: "96000.00",
    monthlyDebts: "2400.00",
    creditScore: 701,
    loanTermMonths: 360,
    interestRate: "7.125",
    propertyAddress: { street: "415 Peachtree Ln", city: "Atlanta", state: "GA", zip: "30308" },
    status: "denied",
    documents: [
      payStub(4, 1, "Robert Williams", "Southern Freight Partners", "4,000.00"),
      bankStatement(4, 2, "Robert Williams", "Peachtree Savings", "12,905.42"),
      appraisal(4, 3, "415 Peachtree Ln, Atlanta, GA", "680,000.00")
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.930", "approve", "Documents complete and consistent."),
        decision("credit_analyst", "0.820", "deny", "DTI {dti} including the proposed payment exceeds the 43% limit."),
        decision("risk_assessor", "0.780", "deny", "Payment shock and LTV {ltv} leave no margin for income loss."),
        decision("fraud_detector", "0.960", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.540",
        reason: "low_confidence",
        detail: "Agents recommend denial; a human must confirm an adverse action."
      },
      review: { _tag: "Denied", reasoning: "Denied: debt-to-income ratio far above the program maximum (high DTI)." }
    }
  },
  {
    id: applicationId(5),
    borrowerName: "Lisa Thompson",
    ssn: "904-90-1205",
    loanAmount: "350000.00",
    propertyValue: "420000.00",
    annualIncome: "104000.00",
    monthlyDebts: "890.00",
    creditScore: 561,
    loanTermMonths: 360,
    interestRate: "7.750",
    propertyAddress: { street: "1207 Saguaro Vista Rd", city: "Phoenix", state: "AZ", zip: "85016" },
    status: "denied",
    documents: [
      payStub(5, 1, "Lisa Thompson", "Desert Sun Hospitality", "4,333.33"),
      idScan(5, 2, 120)
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.910", "approve", "Documents complete."),
        decision("credit_analyst", "0.880", "deny", "Credit score band poor: below the 620 program minimum; two recent delinquencies."),
        decision("risk_assessor", "0.650", "review", "DTI {dti} acceptable; credit history is the deciding factor."),
        decision("fraud_detector", "0.950", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.580",
        reason: "low_confidence",
        detail: "Credit score below the program minimum; adverse action needs a human."
      },
      review: { _tag: "Denied", reasoning: "Denied: credit score below the program minimum (low credit)." }
    }
  },
  {
    id: applicationId(6),
    borrowerName: "Michael Brown",
    ssn: "905-11-2306",
    loanAmount: "500000.00",
    propertyValue: "625000.00",
    annualIncome: "150000.00",
    monthlyDebts: "900.00",
    creditScore: 724,
    loanTermMonths: 360,
    interestRate: "6.875",
    propertyAddress: { street: "39 Harbor View Ct", city: "Tampa", state: "FL", zip: "33602" },
    status: "awaiting_review",
    documents: [
      payStub(6, 1, "Michael Brown", "Gulf Coast Engineering", "6,250.00"),
      bankStatement(6, 2, "Michael Brown", "Bayshore National Bank", "71,080.00"),
      idScan(6, 3, 170)
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.900", "approve", "Documents complete."),
        decision("credit_analyst", "0.870", "approve", "DTI {dti}; LTV {ltv}."),
        decision("risk_assessor", "0.840", "approve", "Income and reserves adequate."),
        decision("fraud_detector", "0.930", "flag", "Large deposit 12 days before application without a documented source.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.840",
        reason: "fraud_flag",
        detail: "Fraud detector flagged an unsourced large deposit."
      }
    }
  },
  {
    id: applicationId(7),
    borrowerName: "Jennifer Davis",
    ssn: "906-22-3407",
    loanAmount: "280000.00",
    propertyValue: "330000.00",
    annualIncome: "89000.00",
    monthlyDebts: "760.00",
    creditScore: 688,
    loanTermMonths: 240,
    interestRate: "6.625",
    propertyAddress: { street: "5601 Riverside Ave", city: "Sacramento", state: "CA", zip: "95822" },
    status: "awaiting_review",
    documents: [
      payStub(7, 1, "Jennifer Davis", "Capitol Region Schools", "3,708.33"),
      propertyPhoto(7, 2, [180, 200, 215])
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.920", "approve", "Documents complete."),
        decision("credit_analyst", "0.860", "approve", "DTI {dti} just within the 43% limit; LTV {ltv}."),
        decision("risk_assessor", "0.820", "deny", "Thin reserves: under two months of payments after closing."),
        decision("fraud_detector", "0.970", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.820",
        reason: "agent_conflict",
        detail: "Credit analyst recommends approval, risk assessor recommends denial."
      }
    }
  },
  {
    id: applicationId(8),
    borrowerName: "Carlos Rodriguez",
    ssn: "907-33-4508",
    loanAmount: "375000.00",
    propertyValue: "440000.00",
    annualIncome: "118000.00",
    monthlyDebts: "540.00",
    creditScore: 712,
    loanTermMonths: 360,
    interestRate: "6.990",
    propertyAddress: { street: "2218 Calle Ocho", city: "Miami", state: "FL", zip: "33135" },
    accountNumbers: ["063100277-5512094"],
    // A long international government id (passport with national registry numbers), the largest such ciphertext.
    governmentId:
      "MEX PASAPORTE G90012345; CURP RODC800312HDFDRR09; INE CLAVE RDRGCR80031209H100; RFC RODC800312AB1; " +
      "EXPEDIDO SRE CIUDAD DE MEXICO 2019-04-11; VENCE 2029-04-10; TEST DATA ONLY",
    status: "awaiting_review",
    documents: [
      payStub(8, 1, "Carlos Rodriguez", "Biscayne Marine Services", "4,916.67"),
      bankStatement(8, 2, "Carlos Rodriguez", "Little Havana Federal", "33,870.25"),
      idScan(8, 3, 95)
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.610", "review", "Foreign passport: machine-readable zone partially illegible in the scan."),
        decision("credit_analyst", "0.720", "approve", "Short US credit history (2 years); DTI {dti}; LTV {ltv}."),
        decision("risk_assessor", "0.580", "review", "Income verified for 2 years only; recent relocation."),
        decision("fraud_detector", "0.880", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.580",
        reason: "low_confidence",
        detail: "Aggregate confidence below the escalation threshold."
      }
    }
  },
  {
    id: applicationId(9),
    borrowerName: "Amanda Wilson",
    ssn: "908-44-5609",
    loanAmount: "310000.00",
    propertyValue: "390000.00",
    annualIncome: "101000.00",
    monthlyDebts: "620.00",
    creditScore: 741,
    loanTermMonths: 360,
    interestRate: "6.500",
    propertyAddress: { street: "77 Aspen Ridge Way", city: "Denver", state: "CO", zip: "80205" },
    status: "processing",
    documents: [
      payStub(9, 1, "Amanda Wilson", "Front Range Analytics", "4,208.33"),
      bankStatement(9, 2, "Amanda Wilson", "Mile High Bank", "40,112.90")
    ],
    outcome: { _tag: "Processing" }
  },
  {
    id: applicationId(10),
    borrowerName: "Kevin Lee",
    ssn: "909-55-6710",
    loanAmount: "425000.00",
    propertyValue: "530000.00",
    annualIncome: "139000.00",
    monthlyDebts: "980.00",
    creditScore: 733,
    loanTermMonths: 360,
    interestRate: "6.750",
    propertyAddress: { street: "1903 Queen Anne Ave N", city: "Seattle", state: "WA", zip: "98109" },
    status: "processing_error",
    documents: [
      payStub(10, 1, "Kevin Lee", "Puget Sound Robotics", "5,791.67"),
      bankStatement(10, 2, "Kevin Lee", "Elliott Bay Savings", "58,300.00"),
      appraisal(10, 3, "1903 Queen Anne Ave N, Seattle, WA", "530,000.00")
    ],
    outcome: {
      _tag: "ProcessingError",
      failedAgent: "document_processor",
      reason: "Document extraction timed out after 3 attempts (upstream OCR service unavailable)."
    }
  },
  {
    id: applicationId(11),
    borrowerName: "Nicole Martinez",
    ssn: "910-66-7811",
    loanAmount: "290000.00",
    propertyValue: "365000.00",
    annualIncome: "94000.00",
    monthlyDebts: "410.00",
    creditScore: 749,
    loanTermMonths: 360,
    interestRate: "6.625",
    propertyAddress: { street: "640 Magnolia St", city: "Charlotte", state: "NC", zip: "28203" },
    status: "draft",
    documents: [],
    outcome: { _tag: "Draft" }
  },
  {
    id: applicationId(12),
    borrowerName: "Thomas Anderson",
    ssn: "911-77-8912",
    loanAmount: "340000.00",
    propertyValue: "425000.00",
    annualIncome: "116000.00",
    monthlyDebts: "700.00",
    creditScore: 719,
    loanTermMonths: 360,
    interestRate: "6.875",
    propertyAddress: { street: "3310 Lyndale Ave S", city: "Minneapolis", state: "MN", zip: "55408" },
    status: "withdrawn",
    documents: [
      payStub(12, 1, "Thomas Anderson", "North Star Printing Co", "4,833.33"),
      propertyPhoto(12, 2, [170, 185, 150])
    ],
    outcome: {
      _tag: "Decided",
      decisions: [
        decision("document_processor", "0.940", "approve", "Documents complete."),
        decision("credit_analyst", "0.790", "approve", "DTI {dti}; LTV {ltv}."),
        decision("risk_assessor", "0.690", "review", "Employment change within the last 6 months."),
        decision("fraud_detector", "0.960", "approve", "No anomalies detected.")
      ],
      route: {
        _tag: "Escalate",
        confidence: "0.690",
        reason: "low_confidence",
        detail: "Aggregate confidence between the thresholds: human review."
      },
      review: { _tag: "Withdrawn", reasoning: "Borrower withdrew the application before review (purchase contract cancelled)." }
    }
  }
]

export const applicationIds: ReadonlyArray<string> = applications.map((a) => a.id)
export const keyIds: ReadonlyArray<string> = allKeys.map((k) => k.id)
