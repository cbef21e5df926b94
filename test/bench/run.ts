/*!
 * Runs every benchmark in the registry below and prints one table of ratios, writes the rows as
 * JSON and renders docs/benchmarks.md with its plots (runner and renderer: packages/cli/src/bench,
 * shared with `irda bench`). A bench is a function returning rows; add one by adding an entry.
 *   npm run bench                      # all: table, bench-results.json where you typed it, docs/benchmarks.md
 *   npm run bench -- --quick           # short versions; the page is only written with --md
 *   npm run bench -- lap-goodput       # only the benches named; the page is only written with --md
 *   npm run bench -- --json out.json   # JSON elsewhere (relative to where you typed it)
 *   npm run bench -- --md page.md      # the page (and its plots beside it) elsewhere
 *   npm run bench -- --render out.json # no measuring: the page again from a saved run
 * A row may carry `bps` / `ber` (for the plots), `measure` (the line of issue 17's table it
 * answers: ISSUE_MEASURES in packages/cli/src/bench/issue17.ts) and `note` (why a target is not
 * met). Benches get `{ quick }`; a bench that cannot run here throws BenchSkipped with a hint.
 * Ratios are against an ideal or a reference, never pass/fail on wall time; a ratio below its
 * target makes the exit code 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { belowTarget, connectBench, demoEcho, irsockBulkBench, virtualTimeBench, formatTable, lapGoodput, renderBenchmarks, runBenches, type Bench, type BenchResults, type BenchRow } from '../../packages/cli/src/bench/index.js'
import { codec } from './phy-codec.js'
import { berGoodputBench } from './ber-goodput.js'
import { dumpRows } from './dump.js'
import { viewerIndexBench } from './viewer-index.js'
import { ircommGoodputBench } from './ircomm-goodput.js'
import { linuxPacedBench } from './linux-paced.js'

export type { BenchRow }

const BENCHES: Record<string, Bench> = {
  'virtual-time': virtualTimeBench,
  'ber-goodput': berGoodputBench,
  'connect': connectBench,
  'viewer-index': viewerIndexBench,
  'irsock-bulk': irsockBulkBench,
  'ircomm-goodput': ircommGoodputBench,
  'lap-goodput': lapGoodput,
  'demo-echo': demoEcho,
  dump: dumpRows,
  'linux-paced': linuxPacedBench,
  'phy-codec': async () => {
    const r = await codec()
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

const root = fileURLToPath(new URL('../../', import.meta.url))
// npm runs scripts from the repository root; INIT_CWD is where the user typed the command.
const here = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p)

const names: string[] = []
let jsonPath: string | undefined = 'bench-results.json'
let mdPath: string | undefined
let renderFrom: string | undefined
let quick = false
let bad = false
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  if (a === '--json') jsonPath = process.argv[++i]
  else if (a === '--md') mdPath = process.argv[++i]
  else if (a === '--render') renderFrom = process.argv[++i]
  else if (a === '--quick') quick = true
  else if (a.startsWith('-') || !(a in BENCHES)) bad = true
  else names.push(a)
}
if (bad || jsonPath === undefined || (process.argv.includes('--md') && mdPath === undefined) || (process.argv.includes('--render') && renderFrom === undefined)) {
  console.error(`usage: npm run bench -- [${Object.keys(BENCHES).join(' | ')} ...] [--quick] [--json <file>] [--md <file>] [--render <results.json>]`)
  process.exit(2)
}

let results: BenchResults
if (renderFrom !== undefined) {
  results = JSON.parse(readFileSync(here(renderFrom), 'utf8')) as BenchResults
} else {
  results = await runBenches(BENCHES, names, { quick, log: line => process.stderr.write(line + '\n') })
  for (const line of formatTable(results.rows)) console.log(line)
  for (const m of results.missing) console.log(`not measured: ${m.bench}: ${m.reason}`)
  writeFileSync(here(jsonPath), JSON.stringify(results, null, 2) + '\n')
  console.log(`\nJSON: ${here(jsonPath)}`)
  if (belowTarget(results.rows).length > 0 || results.missing.some(m => m.reason.startsWith('failed'))) process.exitCode = 1
}

// The page describes a whole run: written by default only for a full, non-quick one.
const page = mdPath !== undefined ? here(mdPath) : renderFrom !== undefined || (names.length === 0 && !quick) ? join(root, 'docs/benchmarks.md') : undefined
if (page !== undefined) {
  const { markdown, files } = renderBenchmarks(results)
  writeFileSync(page, markdown)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dirname(page), name)), { recursive: true })
    writeFileSync(join(dirname(page), name), text)
  }
  console.log(`page: ${page} (+ ${Object.keys(files).join(', ')})`)
}
