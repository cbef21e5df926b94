/*!
 * Runs benches from a registry, one after the other, and turns their rows into the ratio table.
 * Shared by `npm run bench` (the repository's registry, test/bench/run.ts) and `irda bench`
 * (the benches shipped in this package). A bench that throws does not stop the others: it is
 * recorded in `missing` with the reason (a BenchSkipped says what to install).
 */
import { cpus } from 'node:os'
import { BenchSkipped, type Bench, type BenchResults, type BenchRow } from './row.js'

export interface RunOptions {
  quick?: boolean
  /** Progress and skip notes, one line each (stderr in both front ends). */
  log?: (line: string) => void
}

/** Runs `names` (all of `registry` when empty) in order. */
export async function runBenches (registry: Record<string, Bench>, names: string[], opts: RunOptions = {}): Promise<BenchResults> {
  const log = opts.log ?? (() => {})
  const quick = opts.quick === true
  const rows: BenchRow[] = []
  const missing: BenchResults['missing'] = []
  for (const name of names.length > 0 ? names : Object.keys(registry)) {
    log(`bench: running ${name}${quick ? ' (quick)' : ''}...`)
    try {
      rows.push(...await registry[name]({ quick }))
    } catch (e) {
      const reason = e instanceof BenchSkipped ? `skipped: ${e.message}` : `failed: ${e instanceof Error ? e.message : String(e)}`
      log(`bench: ${name} ${reason}`)
      missing.push({ bench: name, reason })
    }
  }
  const cpu = cpus()
  return {
    date: new Date().toISOString(),
    node: process.version,
    machine: `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${process.platform}/${process.arch}`,
    quick,
    rows,
    missing,
  }
}

/** The ratio cell: the ratio, and against its target when it has one. */
export function ratioCell (r: BenchRow): string {
  const ratio = r.ratio.toFixed(r.ratio >= 100 ? 0 : r.ratio >= 10 ? 1 : 4)
  return ratio + (r.target === undefined ? '' : r.ratio >= r.target ? ` (>= ${r.target})` : ` BELOW ${r.target}`)
}

/** A value with a precision that suits its size. */
export function valueCell (r: BenchRow): string {
  const v = Math.abs(r.value)
  return `${r.value.toFixed(v >= 100 ? 0 : v >= 1 ? 2 : 4)} ${r.unit}`
}

/** The table printed on the terminal: one line per row, columns padded. */
export function formatTable (rows: BenchRow[]): string[] {
  const table = [['bench', 'case', 'value', 'ratio', 'against'], ...rows.map(r => [r.bench, r.case, valueCell(r), ratioCell(r), r.against])]
  const widths = table[0].map((_, c) => Math.max(...table.map(row => row[c].length)))
  return table.map(row => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd())
}

/** Rows whose ratio is below their target (the exit code is 1 when there are any). */
export function belowTarget (rows: BenchRow[]): BenchRow[] {
  return rows.filter(r => r.target !== undefined && r.ratio < r.target)
}
