/**
 * Application roles (API-key roles), unrelated to database roles.
 * The hierarchy is total: each role can do everything the roles below it can.
 */
import * as Schema from "effect/Schema"

export const Role = Schema.Literal("loan_officer", "senior_underwriter", "reviewer")
export type Role = typeof Role.Type

export const all: ReadonlyArray<Role> = Role.literals

const ranks: Record<Role, number> = {
  loan_officer: 1,
  senior_underwriter: 2,
  reviewer: 3
}

export const rank = (role: Role): number => ranks[role]

export const atLeast = (role: Role, minimum: Role): boolean => ranks[role] >= ranks[minimum]

/** The short form used in API-key prefixes (`ak_lo_...`). It is a hint only. */
export type RolePrefix = "lo" | "su" | "rv"

const prefixes: Record<Role, RolePrefix> = {
  loan_officer: "lo",
  senior_underwriter: "su",
  reviewer: "rv"
}

export const prefixOf = (role: Role): RolePrefix => prefixes[role]

export const fromPrefix = (prefix: string): Role | undefined =>
  all.find((role) => prefixes[role] === prefix)
