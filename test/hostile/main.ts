/*!
 * `npm run hostile -- [--n 100] [--seed 1] [--kind third-station|connected-peer|floods] [--json]`:
 * runs N seeded hostile-peer scenarios of each kind (see hostile.ts) and prints, per kind, the
 * runs, hostile frames/PDUs, echo outcomes, what the victim counted, and the heap before and
 * after. Exits 1 when any run broke a promise (listed with its seed, to replay it).
 */
import { parseArgs } from 'node:util'
import { HOSTILE_KINDS, runHostile, type HostileKind, type HostileReport } from './hostile.js'

const { values } = parseArgs({ options: { n: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, kind: { type: 'string' }, actions: { type: 'string' }, json: { type: 'boolean', default: false } } })
const n = Number(values.n)
const first = Number(values.seed)
const kinds = values.kind === undefined ? HOSTILE_KINDS : [values.kind as HostileKind]
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(first) || kinds.some(k => !HOSTILE_KINDS.includes(k))) {
  console.error(`usage: npm run hostile -- [--n <runs per kind>] [--seed <first seed>] [--kind ${HOSTILE_KINDS.join('|')}] [--actions <per run>] [--json]`)
  process.exit(2)
}

const heap = (): number => { (globalThis as { gc?: () => void }).gc?.(); return process.memoryUsage().heapUsed }
const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`
const all: HostileReport[] = []
const summaries: string[] = []
const started = performance.now()
for (const kind of kinds) {
  const before = heap()
  const reports: HostileReport[] = []
  for (let i = 0; i < n; i++) {
    const r = await runHostile({ seed: first + i, kind, ...(values.actions !== undefined ? { actions: Number(values.actions) } : {}) })
    reports.push(r)
    if (!values.json && r.problems.length > 0) console.error(`${kind} seed ${r.seed}: ${r.problems.join('; ')}`)
  }
  const after = heap()
  all.push(...reports)
  const sum = (f: (r: HostileReport) => number): number => reports.reduce((s, r) => s + f(r), 0)
  const outcomes = new Map<string, number>()
  for (const r of reports) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1)
  // Counters add up over the runs; a peak is the largest one.
  const victim = Object.keys(reports[0].victim).map(k => k.endsWith('Peak') ? `${k} ${Math.max(...reports.map(r => r.victim[k]))} (largest)` : `${k} ${sum(r => r.victim[k])}`).join(', ')
  summaries.push([
    `${kind}: ${n} runs (seeds ${first}..${first + n - 1}), ${sum(r => r.injected)} hostile frames/PDUs, ${Math.round(sum(r => r.virtualMs) / 1000)} s of virtual time`,
    `  honest echo: ${[...outcomes].map(([o, c]) => `${o} ${c}`).join(', ')}; ${sum(r => r.echoed)} of ${sum(r => r.payload)} bytes back, exact in every run but ${reports.filter(r => r.mediumCorrupted === true).length} where the medium's FCS-16 let a damaged frame through`,
    `  recovered (a new connection served afterwards): ${reports.filter(r => r.recovered).length} of ${n}; broken promises: ${reports.filter(r => r.problems.length > 0).length}`,
    `  victim counted: ${victim}`,
    `  heap with the victim alive, largest growth over a hostile phase: ${reports[0].heap === undefined ? 'n/a (run node with --expose-gc)' : mb(Math.max(...reports.map(r => (r.heap?.after ?? 0) - (r.heap?.before ?? 0))))}`,
    `  heap of the process before the ${n} runs ${mb(before)}, after ${mb(after)}`,
  ].join('\n'))
}
if (values.json) console.log(JSON.stringify(all, null, 2))
else console.log(`\nhostile: ${((performance.now() - started) / 1000).toFixed(1)} s wall\n\n${summaries.join('\n\n')}`)
process.exit(all.some(r => r.problems.length > 0) ? 1 : 0)
