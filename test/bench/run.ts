/*!
 * Runs every benchmark in the registry below and prints one table of ratios, then writes the
 * same rows as JSON. A bench is a function returning rows; add one by adding an entry.
 *   npm run bench                      # all, JSON to bench-results.json in your directory
 *   npm run bench -- lap-goodput       # only the benches named
 *   npm run bench -- --json out.json   # JSON elsewhere (relative to where you typed it)
 * Ratios are against an ideal or a reference, never pass/fail on wall time; a goodput ratio
 * below its target makes the exit code 1.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { goodput } from './lap-goodput.js'
import { codec } from './phy-codec.js'

/** One measured figure: `value` in `unit`, and `ratio` against `against`. */
export interface BenchRow { bench: string, case: string, value: number, unit: string, ratio: number, against: string, target?: number }

const BENCHES: Record<string, () => Promise<BenchRow[]>> = {
  'lap-goodput': async () => (await goodput()).map(r => ({
    bench: 'lap-goodput',
    case: `${r.bps} b/s, ${r.bytes / 1024} KiB (${r.link})`,
    value: r.bytes / r.measuredMs,
    unit: 'kB/s',
    ratio: r.ratio,
    against: 'ideal schedule of the negotiated link',
    target: r.target,
  })),
  'phy-codec': async () => {
    const r = codec()
    const vsC: BenchRow[] = r.cRandomMBs === undefined || r.cEscapedMBs === undefined
      ? []
      : [
          { bench: 'phy-codec', case: 'SIR wrap+unwrap 2048 B random vs C reference (cc -O2, same run)', value: r.sirRandomMBs, unit: 'MB/s', ratio: r.sirRandomMBs / r.cRandomMBs, against: `C ${r.cRandomMBs.toFixed(0)} MB/s`, target: 1.5 },
          { bench: 'phy-codec', case: 'SIR wrap+unwrap 2048 B all escaped vs C reference (cc -O2, same run)', value: r.sirEscapedMBs, unit: 'MB/s', ratio: r.sirEscapedMBs / r.cEscapedMBs, against: `C ${r.cEscapedMBs.toFixed(0)} MB/s`, target: 1.5 },
        ]
    if (r.cMissing !== undefined) process.stderr.write(`bench: ${r.cMissing}\n`)
    return [
      ...vsC,
      { bench: 'phy-codec', case: 'SIR wrap+unwrap 2048 B vs textbook codec (same contract, same run)', value: r.sirMBs, unit: 'MB/s', ratio: r.sirMBs / r.peerMBs, against: `textbook ${r.peerMBs.toFixed(0)} MB/s` },
      { bench: 'phy-codec', case: 'SIR wrap+unwrap 2048 B vs textbook allocating nothing', value: r.sirMBs, unit: 'MB/s', ratio: r.sirMBs / r.peerScratchMBs, against: `textbook ${r.peerScratchMBs.toFixed(0)} MB/s` },
      { bench: 'phy-codec', case: 'SIR wrap+unwrap 2048 B vs anchor (another machine)', value: r.sirMBs, unit: 'MB/s', ratio: r.sirMBs / r.anchorMBs, against: `anchor ${r.anchorMBs} MB/s` },
    ]
  },
}

const names: string[] = []
let jsonPath: string | undefined = 'bench-results.json'
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  if (a === '--json') jsonPath = process.argv[++i]
  else names.push(a)
}
if (jsonPath === undefined || names.some(n => !(n in BENCHES))) {
  console.error(`usage: npm run bench -- [${Object.keys(BENCHES).join(' | ')} ...] [--json <file>]`)
  process.exit(2)
}
// npm runs scripts from the repository root; INIT_CWD is where the user typed the command.
jsonPath = resolve(process.env.INIT_CWD ?? process.cwd(), jsonPath)

const rows: BenchRow[] = []
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
  process.stderr.write(`bench: running ${name}...\n`)
  rows.push(...await BENCHES[name]())
}

const table = [['bench', 'case', 'value', 'ratio', 'against'], ...rows.map(r => [
  r.bench, r.case, `${r.value.toFixed(2)} ${r.unit}`,
  r.ratio.toFixed(4) + (r.target === undefined ? '' : r.ratio >= r.target ? ` (>= ${r.target})` : ` BELOW ${r.target}`),
  r.against,
])]
const widths = table[0].map((_, c) => Math.max(...table.map(row => row[c].length)))
for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd())
writeFileSync(jsonPath, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n')
console.log(`\nJSON: ${jsonPath}`)
if (rows.some(r => r.target !== undefined && r.ratio < r.target)) process.exitCode = 1
