/*!
 * `irda bench`: the benchmarks shipped in the package, on this machine, with the same runner and
 * table as the repository's `npm run bench` (packages/cli/src/bench). Ratios against the ideal
 * schedule or a peer measured in the same run; exit 1 when a ratio is below its target.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { PACKAGE_BENCHES, belowTarget, formatTable, renderBenchmarks, runBenches } from '../bench/index.js'
import { Output, UserError } from '../output.js'

interface BenchFlags { quick?: boolean, json?: boolean, md?: string }

/** What only a checkout of the repository runs, and why (said once after the table). */
export const CHECKOUT_ONLY = 'the SIR codec against a C reference (cc), irda dump against tshark, the bit-error and the viewer-index benches run from a checkout of irdakit: npm run bench'

export function registerBench (program: Command): void {
  program.command('bench')
    .description(`run the benchmarks shipped with irda (${Object.keys(PACKAGE_BENCHES).join(', ')}): a table of ratios against the ideal schedule`)
    .argument('[names...]', 'only these benches')
    .option('--quick', 'short versions (indicative figures, a few seconds)')
    .option('--md <file>', 'also write a page like docs/benchmarks.md, its plots in benchmarks/ beside it')
    .option('--json', 'one JSON document: the rows and what did not run')
    .action(async (names: string[], flags: BenchFlags) => { await bench(names, flags) })
}

async function bench (names: string[], flags: BenchFlags): Promise<void> {
  const unknown = names.filter(n => !(n in PACKAGE_BENCHES))
  if (unknown.length > 0) throw new UserError(`no bench named ${unknown.join(', ')} (shipped: ${Object.keys(PACKAGE_BENCHES).join(', ')}; ${CHECKOUT_ONLY})`)
  const out = new Output({ json: flags.json === true })
  const results = await runBenches(PACKAGE_BENCHES, names, { quick: flags.quick === true, log: line => { if (!out.json) out.note(line) } })
  if (flags.md !== undefined) {
    const page = resolve(flags.md)
    const { markdown, files } = renderBenchmarks(results)
    writeFileSync(page, markdown)
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dirname(page), name)), { recursive: true })
      writeFileSync(join(dirname(page), name), text)
    }
  }
  // A bench skipped for a missing tool is not a failure (it says what to install); one that threw is.
  if (belowTarget(results.rows).length > 0 || results.missing.some(m => m.reason.startsWith('failed'))) process.exitCode = 1
  if (out.json) {
    out.emitJson({ command: 'bench', ok: process.exitCode !== 1, ...results, notInPackage: CHECKOUT_ONLY })
    return
  }
  for (const line of formatTable(results.rows)) out.line(line)
  for (const m of results.missing) out.line(`not measured: ${m.bench}: ${m.reason}`)
  out.line()
  out.line(`Also: ${CHECKOUT_ONLY}.`)
  if (flags.md !== undefined) out.line(`page: ${resolve(flags.md)}`)
}
