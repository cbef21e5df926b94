/*! What a benchmark returns and what a run of them records (the JSON of `npm run bench` / `irda bench`), and what a row says of itself. */
import { lineBytesPerSecond } from '../ideal-schedule.js'

/**
 * One measured figure: `value` in `unit`, and `ratio` against `against` (an ideal schedule, the
 * physical limit or a peer measured in the same run). Optional fields let docs/benchmarks.md
 * place the row: `bps` and `ber` put a goodput row (unit kB/s) on the plots, `measure` names
 * the line of issue 17's table it answers (see ISSUE_MEASURES in issue17.ts), `note` says why a
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

/** The speed a row was measured at: its `bps`, or the first "115200 b/s" / "4 Mbit/s" in its case. */
export function rowBps (r: BenchRow): number | undefined {
  if (r.bps !== undefined) return r.bps
  const m = /(\d+(?:\.\d+)?)\s*(k|M)?(?:b\/s|bit\/s|bps)/.exec(r.case)
  return m === null ? undefined : Math.round(Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1))
}

/** The bit error rate a row was measured at: its `ber`, or "BER 1e-4" in its case. */
export function rowBer (r: BenchRow): number | undefined {
  if (r.ber !== undefined) return r.ber
  const m = /BER\s*=?\s*(\d+(?:\.\d+)?(?:e-?\d+)?)/i.exec(r.case)
  return m === null ? undefined : Number(m[1])
}

/** 4000000 as 4M, 115200 as 115.2k. */
export const speedLabel = (bps: number): string => bps >= 1e6 ? `${bps / 1e6}M` : `${bps / 1000}k`

const KBS: Record<string, number> = { 'B/s': 1e-3, 'kB/s': 1, 'KiB/s': 1.024, 'MB/s': 1e3 }

/** A goodput row's share of its line's byte rate, when it is one (a rate unit and a speed). */
export function shareOfLine (r: BenchRow): number | undefined {
  const bps = rowBps(r)
  const k = KBS[r.unit]
  if (bps === undefined || k === undefined) return undefined
  return r.value * k / (lineBytesPerSecond(bps) / 1000)
}
