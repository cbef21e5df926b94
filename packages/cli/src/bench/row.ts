/*! What a benchmark returns and what a run of them records (the JSON of `npm run bench` / `irda bench`). */

/**
 * One measured figure: `value` in `unit`, and `ratio` against `against` (an ideal schedule, the
 * physical limit or a peer measured in the same run). Optional fields let docs/benchmarks.md
 * place the row: `bps` and `ber` put a goodput row (unit kB/s) on the plots, `measure` names
 * the line of issue 17's table it answers (see ISSUE_MEASURES in render.ts), `note` says why a
 * target is not met.
 */
export interface BenchRow {
  bench: string
  case: string
  value: number
  unit: string
  ratio: number
  against: string
  target?: number
  bps?: number
  ber?: number
  measure?: string
  note?: string
}

/** What the runner hands every bench: `quick` asks for a short version (seconds, not minutes). */
export interface BenchOptions { quick: boolean }

export type Bench = (opts: BenchOptions) => Promise<BenchRow[]>

/** Thrown by a bench that cannot run here; `message` says what is missing and how to get it. */
export class BenchSkipped extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'BenchSkipped'
  }
}

/** One run of the runner, as written to JSON and read back by the renderer. */
export interface BenchResults {
  date: string
  node: string
  machine: string
  quick: boolean
  rows: BenchRow[]
  /** Benches that did not run: skipped for a missing tool, or failed with an error. */
  missing: Array<{ bench: string, reason: string }>
}
