/*!
 * The fuzz runner: for every target, `n` inputs (about one in eight generated, the rest
 * mutated from the corpus), each run and classified: accepted, refused by reason, or an
 * escape (an exception or a broken invariant, kept with its input to replay). The heap is
 * measured after a full GC before and after each target, so a decoder that keeps what it is
 * fed shows up as growth.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { SeededRandom } from '@irdakit/core'
import { mutate } from './mutate.js'
import { makeTargets, type FuzzTarget } from './targets.js'

export interface Escape {
  /** Index of the input in the target's run (replay with the same seed and n). */
  index: number
  error: string
  inputHex: string
}

export interface TargetReport {
  name: string
  inputs: number
  accepted: number
  rejected: number
  /** Refusals by reason, most frequent first. */
  reasons: Array<[string, number]>
  escapes: number
  /** The first few escapes. */
  examples: Escape[]
  /** Heap after a full GC, after the run minus before it (MB). */
  heapGrowthMb: number
  /** Bytes the decoder still holds (stateful decoders only), and the bound it must stay under. */
  retained?: number
  retainedLimit?: number
  ms: number
}

export interface FuzzOptions {
  /** Inputs per target. */
  n: number
  seed?: number
  /** Only targets whose name contains this. */
  only?: string
  /** Measure heap growth (two full GCs per target; default true). */
  measureHeap?: boolean
  /** Called after each target (progress). */
  onTarget?: (r: TargetReport) => void
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapMb (): number {
  gc(); gc()
  return process.memoryUsage().heapUsed / 1048576
}

export function runFuzz (opts: FuzzOptions): TargetReport[] {
  const seed = opts.seed ?? 1
  const reports: TargetReport[] = []
  for (const target of makeTargets(seed)) {
    if (opts.only !== undefined && !target.name.includes(opts.only)) continue
    const r = fuzzTarget(target, opts.n, seed, opts.measureHeap ?? true)
    opts.onTarget?.(r)
    reports.push(r)
  }
  return reports
}

function fuzzTarget (t: FuzzTarget, n: number, seed: number, measureHeap: boolean): TargetReport {
  // One stream per target, so a target's inputs do not depend on which others run.
  let h = seed >>> 0
  for (const ch of t.name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  const rng = new SeededRandom(h)
  const reasons = new Map<string, number>()
  const examples: Escape[] = []
  let accepted = 0
  let escapes = 0
  const before = measureHeap ? heapMb() : 0
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const input = rng.int(8) === 0 || t.seeds.length === 0
      ? t.generate(rng)
      : mutate(t.seeds[rng.int(t.seeds.length)], rng, t.seeds, t.maxLength)
    try {
      const v = t.run(input, rng)
      if (v === true) accepted++
      else reasons.set(v, (reasons.get(v) ?? 0) + 1)
    } catch (e) {
      escapes++
      if (examples.length < 5) examples.push({ index: i, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), inputHex: Buffer.from(input.subarray(0, 256)).toString('hex') })
    }
  }
  const ms = performance.now() - start
  const heapGrowthMb = measureHeap ? Math.round((heapMb() - before) * 100) / 100 : 0
  const report: TargetReport = {
    name: t.name,
    inputs: n,
    accepted,
    rejected: n - accepted - escapes,
    reasons: [...reasons].sort((a, b) => b[1] - a[1]),
    escapes,
    examples,
    heapGrowthMb,
    ms: Math.round(ms),
  }
  if (t.retained !== undefined) { report.retained = t.retained(); report.retainedLimit = t.retainedLimit }
  return report
}

/** A plain-text table of the reports, and each target's refusal reasons. */
export function formatReports (reports: TargetReport[], opts: { reasons?: number } = {}): string {
  const lines = ['target                          inputs    accepted    rejected  escapes  heap MB     ms']
  for (const r of reports) {
    lines.push(`${r.name.padEnd(30)} ${String(r.inputs).padStart(8)} ${String(r.accepted).padStart(11)} ${String(r.rejected).padStart(11)} ${String(r.escapes).padStart(8)} ${r.heapGrowthMb.toFixed(2).padStart(8)} ${String(r.ms).padStart(6)}`)
  }
  for (const r of reports) {
    lines.push('', `${r.name}: rejected by reason`)
    for (const [reason, count] of r.reasons.slice(0, opts.reasons ?? 8)) lines.push(`  ${String(count).padStart(9)}  ${reason}`)
    if (r.reasons.length > (opts.reasons ?? 8)) lines.push(`  ... ${r.reasons.length - (opts.reasons ?? 8)} more reasons`)
    if (r.retained !== undefined) lines.push(`  retained at the end: ${r.retained} bytes (limit ${r.retainedLimit})`)
    for (const e of r.examples) lines.push(`  ESCAPE #${e.index}: ${e.error}\n    ${e.inputHex}`)
  }
  return lines.join('\n')
}
