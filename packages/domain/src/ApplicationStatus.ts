import * as Schema from "effect/Schema"

/** The statuses of a loan application (`loan_applications.status`). */
export const Status = Schema.Literal(
  "draft",
  "submitted",
  "processing",
  "awaiting_review",
  "approved",
  "denied",
  "withdrawn",
  "processing_error"
)
export type Status = typeof Status.Type

export const allStatuses: ReadonlyArray<Status> = Status.literals
