/*!
 * Opt-in (npm run test:linux): the conformance suite against Linux 4.9's IrDA stack, booted in
 * qemu from the peer folder in IRDAKIT_LINUX_PEER, over the guest's pty. Skipped, with the
 * reason, when the variable, the folder or qemu is missing. The findings must be the ones
 * published in docs/conformance/linux-4.9.md: a change either way means the doc (or the suite)
 * needs a look.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { openTarget, runSuite, formatTrace, selectCases, type Report } from '@irdakit/conformance'

/** The findings (FAIL and NONSTRICT) recorded in docs/conformance/linux-4.9.md. */
export const LINUX_FINDINGS: Record<string, 'FAIL' | 'NONSTRICT'> = {
  'LAP/SEC/DATA/BV-06': 'FAIL',
  'LAP/SEC/ERR/BI-36': 'FAIL',
  'LAP/SEC/ERR/BI-37': 'FAIL',
  'LAP/SEC/ERR/BI-03': 'FAIL',
  'LAP/SEC/DATA/BI-05': 'FAIL',
  'LAP/SEC/XID/BI-04': 'FAIL',
  'LAP/SEC/CON/BI-14': 'FAIL',
  'LAP/SEC/CON/BI-11': 'FAIL',
  'LAP/SEC/DCN/BV-02': 'NONSTRICT',
  'LAP/ANY/TEST/BI-01': 'NONSTRICT',
  'LMP/SRV/CON/BI-07': 'FAIL',
  'LMP/SRV/CON/BI-06': 'FAIL',
  'LMP/SRV/DATA/BI-01': 'NONSTRICT',
  'LMP/SRV/ACC/BV-01': 'NONSTRICT',
  'IAS/SRV/IAP/BV-01': 'FAIL',
  'IAS/SRV/IAP/BI-01': 'FAIL',
  'IAS/SRV/IAP/BI-02': 'FAIL',
  'IAS/SRV/IAP/BI-03': 'FAIL',
  'TTP/ANY/CON/BV-02': 'FAIL',
  'TTP/ANY/CON/BI-03': 'FAIL',
}

/** Can crash the guest's kernel (docs/conformance/linux-4.9.md): run last, alone. */
const KILLER = 'IAS/SRV/GVBC/BI-02'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('conformance: Linux 4.9 in qemu over its pty (opt-in)', function () {
  this.timeout(15 * 60_000)
  const peer = process.env.IRDAKIT_LINUX_PEER
  let runDir: string | undefined
  let qemuPid: number | undefined
  let report: Report

  before(async function () {
    if (peer === undefined || peer === '') { console.log('    skipped: set IRDAKIT_LINUX_PEER to the linux-peer folder (npm run test:linux)'); this.skip() }
    if (!existsSync(join(peer, 'run-qemu.sh')) || !existsSync(join(peer, 'bzImage-4.9.337-irda'))) { console.log(`    skipped: ${peer} has no run-qemu.sh and bzImage-4.9.337-irda`); this.skip() }
    if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) { console.log('    skipped: qemu-system-x86_64 not found (apt-get install -y qemu-system-x86)'); this.skip() }
    runDir = mkdtempSync(join(tmpdir(), 'irdakit-conformance-linux-'))
    execFileSync(join(peer, 'run-qemu.sh'), { env: { ...process.env, RUN_DIR: runDir, NICK: 'linuxguest' } })
    qemuPid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8'))
    const log = join(runDir, 'console.log')
    for (let i = 0; i < 240 && !(existsSync(log) && /irda-peer: ready/.test(readFileSync(log, 'utf8'))); i++) await sleep(500)
    expect(readFileSync(log, 'utf8'), 'the guest did not come up within 120 s').to.match(/irda-peer: ready/)
    const target = await openTarget(`pty:${join(runDir, 'ttyIR')}`, { echoClass: 'Echo' })
    try { report = await runSuite(target, { retries: 2, cases: selectCases([], [KILLER]) }) } finally { await target.close() }
  })

  after(() => {
    if (qemuPid !== undefined) { try { process.kill(qemuPid) } catch {} }
    if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true })
  })

  it('passes the sanity probe before and after, as full IrLAP', () => {
    expect(report.sanity).to.deep.equal({ before: 'ok', after: 'ok' })
    expect(report.profile?.liteLap).to.equal(false)
    expect(report.counts.ERROR).to.equal(0)
  })

  it('finds exactly the FAIL and NONSTRICT verdicts published in docs/conformance/linux-4.9.md', () => {
    const got = Object.fromEntries(report.results.filter(r => r.verdict === 'FAIL' || r.verdict === 'NONSTRICT').map(r => [r.id, r.verdict]))
    const detail = report.results.filter(r => (r.verdict === 'FAIL' || r.verdict === 'NONSTRICT' || r.verdict === 'INCONC') && LINUX_FINDINGS[r.id] !== r.verdict)
      .map(r => `${r.verdict} ${r.id}: ${r.reasons.join('; ')}\n${formatTrace(r.trace).slice(0, 30).join('\n')}`).join('\n\n')
    expect(got, detail).to.deep.equal(LINUX_FINDINGS)
  })

  it(`${KILLER} (a class-name length past the frame) is answered, or kills the kernel and is reported so`, async () => {
    const target = await openTarget(`pty:${join(runDir as string, 'ttyIR')}`, { echoClass: 'Echo' })
    const r = await runSuite(target, { retries: 1, cases: selectCases([KILLER]) }).finally(async () => { await target.close() })
    const verdict = r.results[0].verdict
    if (verdict === 'PASS') return
    expect(verdict, r.results[0].reasons.join('; ')).to.equal('INCONC')
    expect(r.sanity.after).to.match(new RegExp(`the device stopped answering during ${KILLER.replace(/\//g, '\\/')}`))
    for (let i = 0; i < 20 && !/Kernel panic/.test(readFileSync(join(runDir as string, 'console.log'), 'utf8')); i++) await sleep(500)
    expect(readFileSync(join(runDir as string, 'console.log'), 'utf8')).to.match(/BUG: unable to handle kernel[\s\S]*Kernel panic/)
  })
})
