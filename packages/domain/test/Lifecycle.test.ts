import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { Lifecycle } from "../src/index.js"

const allowed: ReadonlyArray<readonly [Lifecycle.Status, Lifecycle.Status]> = [
  ["draft", "submitted"],
  ["draft", "withdrawn"],
  ["submitted", "processing"],
  ["submitted", "withdrawn"],
  ["processing", "approved"],
  ["processing", "awaiting_review"],
  ["processing", "processing_error"],
  ["awaiting_review", "approved"],
  ["awaiting_review", "denied"],
  ["awaiting_review", "withdrawn"],
  ["processing_error", "processing"]
]

describe("Lifecycle", () => {
  it("allows exactly the transitions of ARCHITECTURE.md", () => {
    for (const from of Lifecycle.allStatuses) {
      for (const to of Lifecycle.allStatuses) {
        const expected = allowed.some(([f, t]) => f === from && t === to)
        expect(Lifecycle.canTransition(from, to), `${from} -> ${to}`).toBe(expected)
      }
    }
  })

  it("makes approved, denied and withdrawn terminal", () => {
    expect(Lifecycle.allStatuses.filter(Lifecycle.isTerminal)).toEqual(["approved", "denied", "withdrawn"])
  })

  it("submits as a double transition draft -> submitted -> processing", () => {
    expect(Lifecycle.submitSteps("draft")).toEqual(Either.right([["draft", "submitted"], ["submitted", "processing"]]))
  })

  it("rejects a submit from submitted with an error naming both states", () => {
    const result = Lifecycle.submitSteps("submitted")
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left).toMatchObject({ _tag: "InvalidTransition", from: "submitted", to: "submitted" })
      expect(result.left.message).toBe("an application cannot move from submitted to submitted")
    }
  })

  it("retries only from processing_error", () => {
    expect(Lifecycle.retry("processing_error")).toEqual(Either.right("processing"))
    for (const status of Lifecycle.allStatuses.filter((s) => s !== "processing_error")) {
      expect(Either.isLeft(Lifecycle.retry(status))).toBe(true)
    }
  })

  it("property: no sequence of attempted transitions leaves the rules", () => {
    const status = fc.constantFrom(...Lifecycle.allStatuses)
    fc.assert(fc.property(fc.array(status, { maxLength: 40 }), (attempts) => {
      let current: Lifecycle.Status = Lifecycle.initial
      const history: Array<Lifecycle.Status> = [current]
      for (const to of attempts) {
        const result = Lifecycle.transition(current, to)
        if (Either.isRight(result)) {
          expect(allowed).toContainEqual([current, to])
          current = result.right
          history.push(current)
        } else {
          expect(result.left.from).toBe(current)
          expect(result.left.to).toBe(to)
        }
      }
      // Once terminal, nothing moves; nothing ever returns to draft.
      const firstTerminal = history.findIndex(Lifecycle.isTerminal)
      if (firstTerminal >= 0) expect(history.length).toBe(firstTerminal + 1)
      expect(history.slice(1)).not.toContain("draft")
    }))
  })
})
