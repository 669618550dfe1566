/**
 * @loan-ledger/http: the HTTP shell. `Main` is what `loan-ledger serve`
 * runs; `Api` is the contract (OpenAPI is generated from it); `Layers`
 * composes the handlers and middleware for other hosts (tests, benchmarks).
 */
export * as Api from "./Api.js"
export * as Authentication from "./Authentication.js"
export * as Layers from "./Layers.js"
export * as Logging from "./Logging.js"
export * as Main from "./Main.js"
export * as Problem from "./Problem.js"
export * as Problems from "./Problems.js"
export * as Readiness from "./Readiness.js"
export * as StartupChecks from "./StartupChecks.js"
