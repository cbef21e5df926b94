/*!
 * The runner: the sanity probe, then every selected case against the target, then the sanity
 * probe again. A case that ends because the target fell silent is judged by a liveness probe:
 * FAIL if the target still answers discovery, INCONC (and retried) if it is gone.
 */
import { BROADCAST_DEVICE } from '@irdakit/lap'
import { notApplicable, Verdicts, type CaseContext, type CaseDef } from './case.js'
import { CATALOGUE } from './cases/index.js'
import { PrimaryLink, xidCommand, ANSWER_MS } from './link.js'
import { classify, sanityProbe, type Profile } from './profile.js'
import { TesterStation } from './station.js'
import type { Target } from './target.js'
import { CaseVerdict, NoResponse, VERDICTS, type TraceLine, type Verdict } from './verdict.js'

export interface CaseResult {
  id: string
  title: string
  clause: string
  legacy?: string
  level: CaseDef['level']
  verdict: Verdict
  /** Why, one line per finding (the first decides FAIL/NONSTRICT/INFO). */
  reasons: string[]
  /** The annotated frames that decided the verdict (the last attempt's). */
  trace: TraceLine[]
  attempts: number
  /** Medium time the case took (ms). */
  durationMs: number
}

export interface Report {
  target: string
  profile?: Profile
  classification?: string
  sanity: { before: string, after: string }
  results: CaseResult[]
  counts: Record<Verdict, number>
}

export interface RunOptions {
  /** Cases to run (default: the whole catalogue). */
  cases?: readonly CaseDef[]
  /** Profile values declared by the user; they override what the probe found. */
  declared?: Partial<Profile>
  /** Extra attempts for an INCONC case. Default 1. */
  retries?: number
  /** Called after each case (progress). */
  onCase?: (r: CaseResult, index: number, total: number) => void
}

/** Selects cases by ID patterns (`*` matches anything, `LAP/SEC/*`); `exclude` removes. */
export function selectCases (include: readonly string[] = [], exclude: readonly string[] = [], all: readonly CaseDef[] = CATALOGUE): CaseDef[] {
  const re = (p: string): RegExp => new RegExp('^' + p.split('*').map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$')
  const inc = include.map(re)
  const exc = exclude.map(re)
  return all.filter(c => (inc.length === 0 || inc.some(r => r.test(c.id))) && !exc.some(r => r.test(c.id)))
}

export async function runSuite (target: Target, opts: RunOptions = {}): Promise<Report> {
  return await target.run(run(target, opts))
}

async function run (target: Target, opts: RunOptions): Promise<Report> {
  const cases = opts.cases ?? CATALOGUE
  const st = new TesterStation(target.port)
  const counts = Object.fromEntries(VERDICTS.map(v => [v, 0])) as Record<Verdict, number>
  const results: CaseResult[] = []
  const report: Report = { target: target.name, sanity: { before: 'not run', after: 'not run' }, results, counts }
  let profile: Profile
  try {
    profile = { ...await sanityProbe(st), ...(target.echoClass !== undefined ? { echoClass: target.echoClass } : {}), ...(target.longValue !== undefined ? { longValue: target.longValue } : {}), ...opts.declared }
    if (opts.declared !== undefined) profile.source = 'declared'
    report.sanity.before = 'ok'
  } catch (e) {
    report.sanity.before = `failed: ${(e as Error).message}`
    const trace = [...st.trace]
    for (const c of cases) {
      const r = result(c, 'INCONC', [`the sanity probe before the run failed: ${(e as Error).message}`], trace, 0, 0)
      results.push(r)
      counts.INCONC++
    }
    st.close()
    return report
  }
  report.profile = profile
  report.classification = classify(profile)
  let deadSince: string | undefined
  for (const [i, c] of cases.entries()) {
    const r = deadSince !== undefined
      ? result(c, 'INCONC', [`not run: the device stopped answering during ${deadSince}`], [], 0, 0)
      : await runCase(st, c, profile, target, opts.retries ?? 1)
    results.push(r)
    counts[r.verdict]++
    opts.onCase?.(r, i, cases.length)
    // Still INCONC after every retry: is the device there at all? If not, stop knocking.
    if (deadSince === undefined && r.verdict === 'INCONC' && r.attempts > 0) {
      st.reset()
      try { await sanityProbe(st, { deviceAddress: profile.deviceAddress }) } catch { deadSince = c.id }
    }
  }
  st.reset()
  try {
    await sanityProbe(st, { deviceAddress: profile.deviceAddress })
    report.sanity.after = 'ok'
  } catch (e) {
    report.sanity.after = `failed: ${(e as Error).message} (${deadSince !== undefined ? `the device stopped answering during ${deadSince}` : 'the target may have died during the run; judge late verdicts with care'})`
  }
  st.close()
  return report
}

function result (c: CaseDef, verdict: Verdict, reasons: string[], trace: TraceLine[], attempts: number, durationMs: number): CaseResult {
  return { id: c.id, title: c.title, clause: c.clause, ...(c.legacy !== undefined ? { legacy: c.legacy } : {}), level: c.level, verdict, reasons, trace, attempts, durationMs }
}

async function runCase (st: TesterStation, c: CaseDef, profile: Profile, target: Target, retries: number): Promise<CaseResult> {
  const na = notApplicable(c, profile, target.control, target.lineTiming !== false)
  if (na !== undefined) return result(c, 'N/A', [na], [], 0, 0)
  let last: CaseResult | undefined
  const earlier: TraceLine[] = []
  for (let attempt = 1; attempt <= 1 + retries; attempt++) {
    last = await attemptCase(st, c, profile, target, attempt)
    // Every attempt's evidence stays: the first may be the one that shows what went wrong.
    if (earlier.length > 0) last.trace = [...earlier, { t: 0, dir: '--', text: `attempt ${attempt}` }, ...last.trace]
    if (last.verdict !== 'INCONC') return last
    earlier.splice(0, earlier.length, ...(attempt === 1 ? [{ t: 0, dir: '--' as const, text: 'attempt 1' }] : []), ...last.trace)
    await settle(st)
  }
  return last as CaseResult
}

async function attemptCase (st: TesterStation, c: CaseDef, profile: Profile, target: Target, attempt: number): Promise<CaseResult> {
  st.reset()
  const start = st.now()
  const v = new Verdicts()
  const facts: string[] = []
  const links: PrimaryLink[] = []
  const ctx: CaseContext = {
    st,
    profile,
    port: target.port,
    ...(target.control !== undefined ? { control: target.control } : {}),
    connect: async o => { const l = await PrimaryLink.connect(st, profile.deviceAddress, o); links.push(l); return l },
    must: (ok, message) => { if (!ok) { st.flag(message); throw new CaseVerdict('FAIL', message) } },
    should: (ok, message) => { if (!ok) { st.flag(`SHOULD: ${message}`); v.add('NONSTRICT', message) } },
    info: message => { st.note(message); facts.push(message) },
    notApplicable: why => { throw new CaseVerdict('N/A', why) },
  }
  try {
    await c.run(ctx)
  } catch (e) {
    // Every verdict against the target points at its evidence: a '!!' line in the trace.
    if (e instanceof CaseVerdict && e.verdict !== 'N/A' && !st.trace.some(l => l.dir === '!!')) st.flag(e.message)
    if (e instanceof NoResponse) {
      const contention = st.ownDiscovery > 0
      await cleanup(st, links)
      if (contention) v.add('INCONC', `${e.message}; the device was running its own discovery meanwhile (contention for the medium, not a finding)`)
      else if (await alive(st, profile)) v.add('FAIL', e.message)
      else v.add('INCONC', `${e.message}; then the target answered no discovery either (link lost?)`)
    } else if (e instanceof CaseVerdict && e.verdict === 'N/A') {
      await cleanup(st, links)
      return result(c, 'N/A', [e.message], [...st.trace], attempt, st.now() - start)
    } else if (e instanceof CaseVerdict) {
      v.add(e.verdict, e.message)
    } else {
      v.add('ERROR', `harness fault: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    }
  }
  await cleanup(st, links)
  if (c.level === 'INFO' && v.verdict === 'PASS') v.add('INFO', facts.join('; ') || 'see trace')
  else if (facts.length > 0) v.reasons.push(...facts.map(f => `INFO: ${f}`))
  return result(c, v.verdict, v.reasons, [...st.trace], attempt, st.now() - start)
}

/**
 * Before a retry: let the device finish what got in the way. If it is discovering on its own,
 * wait for its final XID, so the retry starts at the beginning of its quiet period; else 2 s.
 */
async function settle (st: TesterStation): Promise<void> {
  const deadline = st.now() + 4000
  let discovering = false
  for (;;) {
    const r = await st.next(Math.max(0, deadline - st.now()), () => false)
    if (r === undefined) break
    if (r.frame?.kind === 'XID' && r.frame.command) {
      discovering = true
      if (r.frame.info.slot === 0xFF) break
    }
  }
  await st.wait(discovering ? 100 : 0)
}

/** Leaves the target in NDM: DISC on every connection the case opened, then a quiet pause. */
async function cleanup (st: TesterStation, links: PrimaryLink[]): Promise<void> {
  for (const l of links) {
    if (l.closed) continue
    l.closed = true
    st.send({ kind: 'DISC', caddr: l.caddr, command: true, pf: true }, 'cleanup')
    await st.collect(ANSWER_MS / 2)
    await l.contention()
  }
  await st.wait(150)
  await st.collect(0)
}

/** Liveness: does the target still answer a 1-slot discovery (twice tried)? */
async function alive (st: TesterStation, profile: Profile): Promise<boolean> {
  for (let i = 0; i < 2; i++) {
    st.send(xidCommand(0, { destination: BROADCAST_DEVICE }), 'liveness probe')
    const got = await st.collect(300)
    if (got.some(r => r.frame?.kind === 'XID' && !r.frame.command && r.frame.info.source === profile.deviceAddress)) {
      st.note('liveness: the target answers discovery, so its silence was its own')
      return true
    }
  }
  st.note('liveness: no answer to discovery')
  return false
}
