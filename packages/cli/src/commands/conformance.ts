/*!
 * `irda conformance`: the conformance suite against a target (our stack in a room, a device
 * behind a pty, a dongle or in a served room). Text by default, `--json`, `--junit <file>`,
 * `--html <file>`; exit 1 on any FAIL or ERROR.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import { CATALOGUE, MUTANTS, catalogueMarkdown, exitStatus, htmlReport, junitReport, markdownReport, openTarget, runSuite, selectCases, textReport, withCatalogue, TargetError, type Profile, type Report } from '@irdakit/conformance'
import { parseSeed } from '../args.js'
import { Output, UserError, oneLine } from '../output.js'

interface ConformanceFlags {
  target: string
  dongle: string
  case: string[]
  exclude: string[]
  list?: boolean
  markdown?: boolean
  writeDoc?: string
  json?: boolean
  junit?: string
  html?: string
  md?: string
  echoClass?: string
  paced?: boolean
  mutant?: string
  profile?: string
  retries: number
  seed: number
  traces: boolean
}

const collect = (v: string, prev: string[]): string[] => [...prev, v]

function parseRetries (v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 5) throw new InvalidArgumentError('must be 0 to 5')
  return n
}

export function registerConformance (program: Command): void {
  program.command('conformance')
    .description('run the IrDA conformance suite against a stack or device')
    .option('--target <spec>', 'loopback (our stack in an emulated room), pty:<path>, serial:<path> or room:<socket>', 'loopback')
    .option('--dongle <name>', 'the dongle profile for a serial: target (see irda dongles)', 'none')
    .option('--case <pattern>', 'run only cases whose ID matches (* wildcard, e.g. LAP/SEC/*); repeatable', collect, [])
    .option('--exclude <pattern>', 'skip cases whose ID matches; repeatable', collect, [])
    .option('--list', 'list the cases instead of running them')
    .option('--markdown', 'with --list: the catalogue as a Markdown table')
    .option('--write-doc <file>', 'rewrite the catalogue section of a Markdown file (docs/conformance.md)')
    .option('--echo-class <name>', 'IAS class of a TinyTP echo service on the target (the Linux guest\'s is Echo)')
    .option('--mutant <name>', `plant a fault in the loopback stack to see cases fail (${MUTANTS.length} mutants, listed in docs/conformance.md; an unknown name lists them)`)
    .option('--paced', 'a pty: target is paced like a real line (pacer.py between): run the timing cases')
    .option('--profile <file>', 'declared device profile (JSON, fields of the probed profile) instead of what the probe finds')
    .option('--retries <n>', 'extra attempts for an INCONC case', parseRetries, 1)
    .option('--seed <n>', 'seed of the loopback room', parseSeed, 1)
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--html <file>', 'write a self-contained HTML report with the traces')
    .option('--md <file>', 'write a Markdown report: the verdict table and the trace of every finding')
    .option('--no-traces', 'text report without the traces of findings')
    .option('--json', 'one JSON document (the whole report, traces included)')
    .action(async (flags: ConformanceFlags) => { await conformance(flags) })
}

async function conformance (flags: ConformanceFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const cases = selectCases(flags.case, flags.exclude)
  if (flags.writeDoc !== undefined) {
    let doc: string
    try { doc = readFileSync(flags.writeDoc, 'utf8') } catch (e) { throw new UserError(`cannot read ${flags.writeDoc}: ${oneLine(e)}`) }
    writeFileSync(flags.writeDoc, withCatalogue(doc, CATALOGUE))
    out.line(`${flags.writeDoc}: catalogue of ${CATALOGUE.length} cases written`)
    return
  }
  if (flags.list === true) {
    if (out.json) { out.emitJson({ command: 'conformance', cases: cases.map(c => ({ id: c.id, title: c.title, clause: c.clause, legacy: c.legacy, level: c.level, needs: c.needs ?? [] })) }); return }
    if (flags.markdown === true) { out.line(catalogueMarkdown(cases)); return }
    for (const c of cases) out.line(`${c.id.padEnd(20)} ${c.level.padEnd(6)} ${(c.legacy ?? '').padEnd(9)} ${c.title}`)
    out.line(`${cases.length} cases`)
    return
  }
  if (cases.length === 0) throw new UserError('no case matches --case/--exclude')
  let declared: Partial<Profile> | undefined
  if (flags.profile !== undefined) {
    try { declared = JSON.parse(readFileSync(flags.profile, 'utf8')) as Partial<Profile> } catch (e) { throw new UserError(`cannot read the profile ${flags.profile}: ${oneLine(e)}`) }
  }
  let target
  try {
    target = await openTarget(flags.target, { dongle: flags.dongle, seed: flags.seed, paced: flags.paced === true, ...(flags.mutant !== undefined ? { mutant: flags.mutant } : {}), ...(flags.echoClass !== undefined ? { echoClass: flags.echoClass } : {}) })
  } catch (e) {
    throw new UserError(e instanceof TargetError ? e.message : `cannot open ${flags.target}: ${oneLine(e)}`)
  }
  let report: Report
  try {
    report = await runSuite(target, {
      cases,
      retries: flags.retries,
      ...(declared !== undefined ? { declared } : {}),
      onCase: (r, i, n) => { out.progress(`conformance ${r.id}`, i + 1, n) },
    })
  } finally {
    await target.close()
  }
  out.clearProgress()
  if (flags.junit !== undefined) writeFileSync(flags.junit, junitReport(report))
  if (flags.html !== undefined) writeFileSync(flags.html, htmlReport(report))
  if (flags.md !== undefined) writeFileSync(flags.md, markdownReport(report))
  process.exitCode = exitStatus(report)
  if (out.json) { out.emitJson({ command: 'conformance', ...report }); return }
  for (const l of textReport(report, { traces: flags.traces })) {
    const v = /^(PASS|FAIL|ERROR|NONSTRICT|INCONC|INFO)\b/.exec(l)?.[1]
    out.line(v === 'FAIL' || v === 'ERROR' ? out.style('red', l) : v === 'NONSTRICT' || v === 'INCONC' ? out.style('yellow', l) : l)
  }
  if (report.sanity.before !== 'ok') out.note(`irda: the target did not pass the sanity probe: ${report.sanity.before}`)
}
