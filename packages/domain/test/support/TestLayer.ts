/**
 * The domain's use cases over in-memory ports, a test HMAC secret and a
 * Fernet key ring with a fresh key: `makeTestLayer()` is all a use-case
 * test needs to provide.
 */
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ApiKeys, Applications, AuditTrail, Documents, Fernet, FernetKeyRing, Hmac, PiiVault } from "../../src/index.js"
import * as InMemory from "./InMemory.js"

export const TEST_HMAC_SECRET = Redacted.make("test-hmac-secret-with-at-least-32-characters")

export const vaultLayer = (): Layer.Layer<PiiVault.PiiVault> =>
  FernetKeyRing.layer({ current: { id: 1, key: Fernet.generateKey() }, previous: Option.none() })

export type Services =
  | Applications.Applications
  | Documents.Documents
  | ApiKeys.ApiKeys
  | AuditTrail.AuditTrail
  | Hmac.Hmac
  | PiiVault.PiiVault
  | InMemory.Ports

export const makeTestLayer = (options: InMemory.Options = {}): Layer.Layer<Services> =>
  Layer.mergeAll(
    Applications.Applications.Default,
    Documents.Documents.Default,
    ApiKeys.ApiKeys.Default,
    AuditTrail.AuditTrail.Default
  ).pipe(
    Layer.provideMerge(Layer.mergeAll(InMemory.layer(options), Hmac.Hmac.fromSecret(TEST_HMAC_SECRET), vaultLayer()))
  )
