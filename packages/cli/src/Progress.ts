/**
 * A progress bar on stderr, drawn only when stderr is a terminal: piped or
 * captured output (scripts, CI, `--json` consumers) never sees control
 * characters. Redraws are throttled; `done` clears the line.
 */
import * as Effect from "effect/Effect"

export interface Progress {
  readonly advance: (units: number, events: number) => Effect.Effect<void>
  /** Clears the bar before a line is printed on the same terminal; the next advance redraws it. */
  readonly clear: Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

const WIDTH = 30
const INTERVAL_MS = 100

const silent: Progress = { advance: () => Effect.void, clear: Effect.void, done: Effect.void }

export const make = (label: string, total: number): Progress => {
  const stream = process.stderr
  if (stream.isTTY !== true || total <= 0) return silent
  let units = 0
  let events = 0
  let lastDraw = 0
  let drawn = false
  const erase = () => {
    if (drawn) stream.write("\r\u001b[2K")
    drawn = false
  }
  const draw = () => {
    drawn = true
    const filled = Math.min(WIDTH, Math.round((units / total) * WIDTH))
    stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${units}/${total} chains, ${events} events`)
  }
  return {
    advance: (u, e) =>
      Effect.sync(() => {
        units += u
        events += e
        const now = Date.now()
        if (now - lastDraw >= INTERVAL_MS || units === total || !drawn) {
          lastDraw = now
          draw()
        }
      }),
    clear: Effect.sync(erase),
    done: Effect.sync(erase)
  }
}
