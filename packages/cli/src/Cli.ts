/**
 * The `loan-ledger` command tree, exactly as ARCHITECTURE.md (Contracts)
 * fixes it. Each leaf parses its flags here and hands them to the module
 * that does the work; every leaf gets its layers through `Command.provide`,
 * so `--help` never starts a database.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Role from "@loan-ledger/domain/Role"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ApiKeyIdArg, ApplicationIdArg, integerBetween, positiveInteger } from "./Arguments.js"
import { UsageError } from "./CliError.js"
import * as KeysCommand from "./commands/Keys.js"
import * as MigrateCommand from "./commands/Migrate.js"
import * as PiiCommand from "./commands/Pii.js"
import * as SeedCommand from "./commands/Seed.js"
import * as ServeCommand from "./commands/Serve.js"
import * as VerifyCommand from "./commands/Verify.js"
import * as Layers from "./Layers.js"

/** A parent invoked without a subcommand is a usage error (exit 2), not a silent success. */
const needsSubcommand = (path: string) => () =>
  new UsageError({ message: `${path} needs a subcommand; see \`${path} --help\`` })

const json = Options.boolean("json").pipe(Options.withDescription("Print machine-readable JSON on stdout (shapes in docs/cli.md)."))

// serve -----------------------------------------------------------------------

const serve = Command.make("serve", {}, () => ServeCommand.run).pipe(
  Command.withDescription(
    "Start the HTTP server. With no DATABASE_URL, starts the embedded PostgreSQL, migrates, seeds and serves."
  )
)

// migrate ---------------------------------------------------------------------

const migrateUp = Command.make(
  "up",
  {
    to: Options.integer("to").pipe(
      Options.withSchema(positiveInteger("--to")),
      Options.withDescription("Stop after migration N (default: the latest)."),
      Options.optional
    )
  },
  ({ to }) => MigrateCommand.up(to)
).pipe(
  Command.withDescription("Apply pending migrations as the owner, in order, one transaction each."),
  Command.provide(Layers.Migrations)
)

const migrateDown = Command.make(
  "down",
  {
    steps: Options.integer("steps").pipe(
      Options.withSchema(positiveInteger("--steps")),
      Options.withDescription("How many applied migrations to undo, newest first."),
      Options.withDefault(1)
    )
  },
  ({ steps }) => MigrateCommand.down(steps)
).pipe(
  Command.withDescription("Undo the newest migrations. In production, 006 and everything before it are never undone."),
  Command.provide(Layers.Migrations)
)

const migrateStatus = Command.make("status", { json }, ({ json }) => MigrateCommand.status({ json })).pipe(
  Command.withDescription("List every migration with whether and when it was applied."),
  Command.provide(Layers.Migrations)
)

const migrate = Command.make("migrate", {}, () => Effect.fail(needsSubcommand("loan-ledger migrate")())).pipe(
  Command.withDescription("Manage the database schema (owner connection: DATABASE_ADMIN_URL)."),
  Command.withSubcommands([migrateUp, migrateDown, migrateStatus])
)

// seed ------------------------------------------------------------------------

const seed = Command.make(
  "seed",
  {
    remove: Options.boolean("remove").pipe(
      Options.withDescription("Delete the seed applications with their documents and audit chains; deactivate the seed keys.")
    )
  },
  ({ remove }) => (remove ? SeedCommand.remove : SeedCommand.seed)
).pipe(
  Command.withDescription(
    "Load the Phase-1 demo data (idempotent; fixed ids). Seed API keys are printed once, when created. Refused in production."
  ),
  Command.provide(Layers.Seeding)
)

// verify ----------------------------------------------------------------------

const verify = Command.make(
  "verify",
  {
    application: Options.text("application").pipe(
      Options.withSchema(ApplicationIdArg),
      Options.withDescription("Verify only this application's chain (a UUID)."),
      Options.optional
    ),
    json
  },
  ({ application, json }) => VerifyCommand.run({ application, json })
).pipe(
  Command.withDescription(
    "Recompute every audit chain (or one) and report the first event that does not match. Exit 1 when any chain is broken."
  ),
  Command.provide(Layers.Runtime)
)

// keys ------------------------------------------------------------------------

const keysCreate = Command.make(
  "create",
  {
    role: Options.choice("role", Role.all).pipe(Options.withDescription("The key's role.")),
    description: Options.text("description").pipe(
      Options.withDescription("What the key is for (shown in `keys list`)."),
      Options.optional
    ),
    expiresInDays: Options.integer("expires-in-days").pipe(
      Options.withSchema(integerBetween("--expires-in-days", 1, 365)),
      Options.withDescription("Days until the key expires, 1 to 365."),
      Options.withDefault(90)
    )
  },
  ({ role, description, expiresInDays }) =>
    KeysCommand.create({ role, description: Option.getOrUndefined(description), expiresInDays })
).pipe(
  Command.withDescription("Create an API key and print its plaintext once (it is stored only as an HMAC)."),
  Command.provide(Layers.Keys)
)

const keysList = Command.make("list", { json }, ({ json }) => KeysCommand.list({ json })).pipe(
  Command.withDescription("List API keys with their status (never their secrets)."),
  Command.provide(Layers.Keys)
)

const keysRevoke = Command.make(
  "revoke",
  { id: Args.text({ name: "id" }).pipe(Args.withSchema(ApiKeyIdArg), Args.withDescription("The key's id (a UUID).")) },
  ({ id }) => KeysCommand.revoke(id)
).pipe(
  Command.withDescription("Deactivate an API key. Keys are never deleted: audit events refer to them."),
  Command.provide(Layers.Keys)
)

const keys = Command.make("keys", {}, () => Effect.fail(needsSubcommand("loan-ledger keys")())).pipe(
  Command.withDescription("Manage API keys."),
  Command.withSubcommands([keysCreate, keysList, keysRevoke])
)

// pii -------------------------------------------------------------------------

const piiRotate = Command.make("rotate", {}, () => PiiCommand.rotate).pipe(
  Command.withDescription(
    "Re-encrypt every ciphertext not under ENCRYPTION_KEY_ID, in resumable batches. Afterwards ENCRYPTION_KEY_PREVIOUS can be removed."
  ),
  Command.provide(Layers.PiiRotation)
)

const pii = Command.make("pii", {}, () => Effect.fail(needsSubcommand("loan-ledger pii")())).pipe(
  Command.withDescription("Manage encrypted borrower data."),
  Command.withSubcommands([piiRotate])
)

// root ------------------------------------------------------------------------

export const root = Command.make("loan-ledger", {}, () => Effect.fail(needsSubcommand("loan-ledger")())).pipe(
  Command.withDescription("Operate a loan-ledger database: schema, demo data, audit-chain verification, API keys, PII keys."),
  Command.withSubcommands([serve, migrate, seed, verify, keys, pii])
)

export const run = Command.run(root, { name: "loan-ledger", version: "0.1.0" })
