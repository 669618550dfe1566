/**
 * The loan application lifecycle, exactly as ARCHITECTURE.md defines it.
 * Every status change in the system goes through `transition`, so the table
 * below is the single place where a move can be allowed.
 */
import * as Either from "effect/Either"
import { allStatuses, Status } from "./ApplicationStatus.js"
import { InvalidTransition } from "./Errors.js"

export { allStatuses, Status }

const transitions: { readonly [S in Status]: ReadonlyArray<Status> } = {
  draft: ["submitted", "withdrawn"],
  submitted: ["processing", "withdrawn"],
  processing: ["approved", "awaiting_review", "processing_error"],
  awaiting_review: ["approved", "denied", "withdrawn"],
  processing_error: ["processing"],
  approved: [],
  denied: [],
  withdrawn: []
}

export const initial: Status = "draft"

export const nextStatuses = (from: Status): ReadonlyArray<Status> => transitions[from]

export const canTransition = (from: Status, to: Status): boolean => transitions[from].includes(to)

export const isTerminal = (status: Status): boolean => transitions[status].length === 0

/** One allowed move, or an InvalidTransition naming both states. */
export const transition = (from: Status, to: Status): Either.Either<Status, InvalidTransition> =>
  canTransition(from, to) ? Either.right(to) : Either.left(new InvalidTransition({ from, to }))

/**
 * Submission is a double transition (draft -> submitted -> processing) in one
 * transaction: the returned steps are the two audit events to record.
 */
export const submitSteps = (
  from: Status
): Either.Either<readonly [readonly [Status, Status], readonly [Status, Status]], InvalidTransition> =>
  Either.flatMap(transition(from, "submitted"), (mid) =>
    Either.map(transition(mid, "processing"), (to) => [[from, mid], [mid, to]] as const)
  )

/** Withdrawal is allowed from every status whose table entry lists it. */
export const withdraw = (from: Status) => transition(from, "withdrawn")

/**
 * A retry re-enters processing after a processing error and nowhere else:
 * submitted -> processing is a valid move of the table but not a retry.
 */
export const retry = (from: Status): Either.Either<Status, InvalidTransition> =>
  from === "processing_error"
    ? transition(from, "processing")
    : Either.left(new InvalidTransition({ from, to: "processing" }))
