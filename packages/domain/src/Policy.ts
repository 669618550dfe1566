/**
 * Who may do what (ARCHITECTURE, Contracts), as a typed policy.
 *
 * The body of every use case declares the permission it needs with
 * `Policy.granted(permission)`, which puts `Authorized<permission>` into the
 * body's requirements and yields the grant (the actor, and for
 * application-scoped permissions the very application the check was made
 * on). Only `Policy.authorize` / `Policy.authorizeApplication` remove that
 * requirement, after running the check; so the compiler refuses to run a use
 * case whose policy check is missing, and a body cannot act on another
 * application than the one that was checked.
 *
 * Loan officers act only on applications their own key created: for any
 * other application they get NotFound, never Forbidden, so they cannot even
 * learn that it exists.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type Actor, keyIdOf, roleOf } from "./Actor.js"
import { Forbidden, NotFound } from "./Errors.js"
import type { ApiKeyId } from "./Ids.js"
import type { LoanApplication } from "./LoanApplication.js"
import { atLeast, type Role } from "./Role.js"

/** Permissions checked against one application (ownership applies). */
export type ApplicationPermission =
  | "application:read"
  | "application:submit"
  | "application:withdraw"
  | "application:retry"
  | "document:upload"
  | "document:read"
  | "document:download"
  | "audit:read"
  | "audit:record"

/** Permissions without a subject. */
export type GlobalPermission =
  | "application:create"
  | "application:list"
  | "key:manage"
  | "audit:read-system"
  | "audit:record-system"

export type Permission = ApplicationPermission | GlobalPermission

const minimumRole: { readonly [P in Permission]: Role } = {
  "application:create": "loan_officer",
  "application:list": "loan_officer",
  "application:read": "loan_officer",
  "application:submit": "loan_officer",
  "application:withdraw": "loan_officer",
  // The owning officer may retry; beyond ownership it takes a senior underwriter.
  "application:retry": "loan_officer",
  "document:upload": "loan_officer",
  "document:read": "loan_officer",
  "document:download": "loan_officer",
  "audit:read": "loan_officer",
  "audit:record": "senior_underwriter",
  "key:manage": "reviewer",
  "audit:read-system": "reviewer",
  "audit:record-system": "reviewer"
}

/** Who may act on applications they did not create. */
const minimumRoleForOthers: { readonly [P in ApplicationPermission]: Role } = {
  "application:read": "senior_underwriter",
  "application:submit": "senior_underwriter",
  "application:withdraw": "senior_underwriter",
  "application:retry": "senior_underwriter",
  "document:upload": "senior_underwriter",
  "document:read": "senior_underwriter",
  "document:download": "senior_underwriter",
  "audit:read": "senior_underwriter",
  "audit:record": "senior_underwriter"
}

/** Creating applications and uploading documents need a key to own them. */
const needsOwnKey: ReadonlySet<Permission> = new Set(["application:create", "document:upload"])

export interface Grant<P extends Permission> {
  readonly permission: P
  readonly actor: Actor
}

export interface ApplicationGrant<P extends ApplicationPermission> extends Grant<P> {
  /** The application the check was made on, as read in the current transaction. */
  readonly application: LoanApplication
}

type GrantOf<P extends Permission> = P extends ApplicationPermission ? ApplicationGrant<P> : Grant<P>

/** The requirement a use-case body carries until its policy check has run. */
export interface Authorized<P extends Permission> {
  readonly _: unique symbol
  readonly permission: P
}

const tags = new Map<Permission, Context.Tag<unknown, unknown>>()
const tagOf = <P extends Permission>(permission: P): Context.Tag<Authorized<P>, GrantOf<P>> => {
  let tag = tags.get(permission)
  if (tag === undefined) {
    tag = Context.GenericTag<Authorized<P>, GrantOf<P>>(`@loan-ledger/domain/Authorized/${permission}`) as never
    tags.set(permission, tag!)
  }
  return tag as never
}

/** Declares that the current effect needs `permission`, and yields the grant. */
export const granted = <P extends Permission>(permission: P): Effect.Effect<GrantOf<P>, never, Authorized<P>> =>
  tagOf(permission)

const denied = (actor: Actor, permission: Permission): Option.Option<Forbidden> => {
  const required = minimumRole[permission]
  if (needsOwnKey.has(permission) && actor._tag !== "ApiKey") {
    return Option.some(new Forbidden({ action: permission, requiredRole: required }))
  }
  return atLeast(roleOf(actor), required)
    ? Option.none()
    : Option.some(new Forbidden({ action: permission, requiredRole: required }))
}

/** The role check alone, for failing early before any read. */
export const check = (actor: Actor, permission: Permission): Effect.Effect<void, Forbidden> =>
  Option.match(denied(actor, permission), { onNone: () => Effect.void, onSome: Effect.fail })

/** Runs `effect` if `actor` holds the global `permission`. */
export const authorize =
  <P extends GlobalPermission>(actor: Actor, permission: P) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Forbidden, Exclude<R, Authorized<P>>> =>
    Effect.flatMap(check(actor, permission), () =>
      Effect.provideService(effect, tagOf(permission), { permission, actor } as GrantOf<P>)
    ) as never

/** True when `actor` may see `application` at all (ownership for loan officers). */
export const canSee = (actor: Actor, application: LoanApplication): boolean =>
  atLeast(roleOf(actor), "senior_underwriter") ||
  Option.exists(keyIdOf(actor), (keyId) => keyId === application.createdBy)

/**
 * Runs `effect` if `actor` holds `permission` on `application`. An
 * application the actor may not see is reported as NotFound.
 */
export const authorizeApplication =
  <P extends ApplicationPermission>(actor: Actor, permission: P, application: LoanApplication) =>
  <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | Forbidden | NotFound, Exclude<R, Authorized<P>>> => {
    if (!canSee(actor, application)) {
      return Effect.fail(new NotFound({ entity: "application", id: application.id }))
    }
    const owns = Option.exists(keyIdOf(actor), (keyId) => keyId === application.createdBy)
    const forbidden = Option.orElse(denied(actor, permission), () =>
      owns || atLeast(roleOf(actor), minimumRoleForOthers[permission])
        ? Option.none()
        : Option.some(new Forbidden({ action: permission, requiredRole: minimumRoleForOthers[permission] })))
    return Option.match(forbidden, {
      onSome: (e) => Effect.fail(e),
      onNone: () =>
        Effect.provideService(effect, tagOf(permission), { permission, actor, application } as GrantOf<P>) as never
    })
  }

/** The owner filter for listings: loan officers list their own applications only. */
export const listScope = (actor: Actor): Option.Option<ApiKeyId> =>
  atLeast(roleOf(actor), "senior_underwriter") ? Option.none() : keyIdOf(actor)
