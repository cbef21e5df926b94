/*!
 * The whole suite against our own stack in an emulated room, in virtual time: every case PASS,
 * INFO (capability reports) or N/A with a reason. Plus the runner's own rules: a broken target
 * fails the cases it should, a silent one is INCONC and retried, reports are well formed.
 */
import { expect } from 'chai'
import { CATALOGUE, exitStatus, formatTrace, junitReport, htmlReport, loopbackTarget, runSuite, selectCases, textReport, type Report } from '@irdakit/conformance'

const show = (r: Report): string => r.results.filter(c => !['PASS', 'INFO', 'N/A'].includes(c.verdict)).map(c => `${c.verdict} ${c.id}: ${c.reasons.join('; ')}\n${formatTrace(c.trace).join('\n')}`).join('\n\n')

describe('conformance: loopback (our stack)', function () {
  let report: Report

  before(async function () {
    const target = loopbackTarget(1)
    try { report = await runSuite(target) } finally { await target.close() }
  })

  it('passes the sanity probe before and after and classifies the stack as full IrLAP', () => {
    expect(report.sanity).to.deep.equal({ before: 'ok', after: 'ok' })
    expect(report.profile?.liteLap).to.equal(false)
    expect(report.results).to.have.length(CATALOGUE.length)
  })

  it('passes every applicable case', () => {
    expect(show(report)).to.equal('')
    expect(exitStatus(report)).to.equal(0)
  })

  it('gives a reason for every N/A and runs every case that needs only a secondary', () => {
    for (const c of report.results.filter(r => r.verdict === 'N/A')) expect(c.reasons[0], c.id).to.match(/\w/)
    expect(report.results.filter(c => c.verdict === 'N/A').length).to.be.lessThan(CATALOGUE.length / 10)
  })

  it('writes text, JUnit and HTML reports that carry each case', () => {
    const text = textReport(report).join('\n')
    expect(text).to.include('LAP/SEC/XID/BV-01')
    const xml = junitReport(report)
    expect(xml).to.match(/^<\?xml/)
    expect(xml.match(/<testcase /g)).to.have.length(CATALOGUE.length)
    expect(htmlReport(report)).to.include('<details>')
  })
})

describe('conformance: a device that dies during the run', function () {
  it('is reported: the case it died in is INCONC, the rest are not run, and the sanity probe after says so', async () => {
    const target = loopbackTarget(2)
    const dut = target.control?.stack
    const cases = selectCases(['LAP/SEC/XID/BV-01', 'LAP/SEC/CON/BV-01', 'LAP/SEC/DATA/BV-01', 'LAP/ANY/TEST/BV-39'])
    let n = 0
    const report = await runSuite(target, {
      cases,
      retries: 1,
      // The device's station vanishes from the room after the first case.
      onCase: () => { if (++n === 1) void dut?.port.close() },
    }).finally(async () => { await target.close() })
    expect(report.sanity.before).to.equal('ok')
    expect(report.results.map(r => r.verdict)).to.deep.equal(['PASS', 'INCONC', 'INCONC', 'INCONC'])
    expect(report.results[2].reasons[0]).to.match(/not run: the device stopped answering during LAP\/SEC\/CON\/BV-01/)
    expect(report.sanity.after).to.match(/failed: .*the device stopped answering during LAP\/SEC\/CON\/BV-01/)
    expect(exitStatus(report)).to.equal(0)
  })
})
