#!/usr/bin/env node
// Runs the TypeScript sources through tsx's ESM loader, so `npx loan-ledger`
// works in the workspace without a build step.
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
