/*!
 * Every mutant (a fault switch planted in the loopback stack) fails exactly the cases that
 * check the behaviour it breaks, and no others: the cases can fail, and they fail for the
 * right reason. Together the mutants fail every case loopback runs, so a new case without a
 * mutant fails this test.
 */
import { expect } from 'chai'
import { CATALOGUE, MUTANTS, loopbackTarget, mutantByName, runSuite, selectCases, type Mutant, type Report } from '@irdakit/conformance'

/** The cases each mutant fails (any verdict but PASS, INFO and N/A). */
const EXPECTED: Record<string, string[]> = {
  'xid-slot-zero': ['LAP/SEC/XID/BV-04', 'LAP/SEC/XID/BV-05'],
  'xid-any-destination': ['LAP/SEC/XID/BV-01'],
  'xid-version-1': ['LAP/SEC/XID/BV-02', 'LAP/SEC/XID/BV-03'],
  'xid-first-command': ['LAP/SEC/XID/BV-03', 'LAP/SEC/XID/BV-04', 'LAP/SEC/XID/BV-05', 'LAP/SEC/XID/BV-06'],
  'xid-answer-final': ['LAP/SEC/XID/BV-06', 'LAP/SEC/XID/BV-07', 'LAP/SEC/XID/BV-08'],
  'xid-every-slot': ['LAP/SEC/XID/BV-03', 'LAP/SEC/XID/BV-04', 'LAP/SEC/XID/BV-05', 'LAP/SEC/XID/BV-06', 'LAP/SEC/XID/BV-10'],
  'ignore-cr': ['LAP/SEC/XID/BI-01', 'LAP/PRI/XID/BV-02', 'LAP/PRI/CON/BV-01', 'LAP/PRI/CON/BV-02', 'LAP/PRI/CON/BV-03', 'LAP/ANY/TEST/BI-02', 'LAP/SEC/CON/BI-11', 'LAP/SEC/DATA/BI-04'],
  'reserved-addresses': ['LAP/SEC/CON/BI-08', 'LAP/SEC/XID/BI-04', 'LAP/SEC/XID/BI-05', 'LAP/SEC/CON/BI-14'],
  'xid-truncated-wedge': ['LAP/SEC/XID/BI-02'],
  'xid-new-address': ['LAP/SEC/XID/BV-02', 'LAP/SEC/XID/BV-03', 'LAP/SEC/XID/BV-08', 'LAP/SEC/XID/BV-09'],
  'xid-reply-to-first': ['LAP/SEC/XID/BV-09'],
  'late-xid-reply': ['LAP/SEC/XID/TI-01'],
  'no-min-turnaround': ['LAP/SEC/XID/TI-02', 'LAP/SEC/CON/TI-01', 'LAP/SEC/CON/TI-02'],
  'ua-addresses-unswapped': ['LAP/SEC/CON/BV-01'],
  'ua-no-9600': ['LAP/SEC/CON/BV-02'],
  'no-default-speed': [],
  'rr-without-f': ['LAP/SEC/CON/BV-03', 'LAP/ANY/UI/BV-01', 'TTP/ANY/DCN/BV-01', 'LAP/SEC/DATA/BV-14'],
  'refuse-wide-baud': ['LAP/SEC/CON/BI-04'],
  'refuse-unknown-pi': ['LAP/SEC/CON/BI-05'],
  'dm-without-link': ['LAP/SEC/CON/BI-06', 'LAP/SEC/CON/BI-07', 'LAP/SEC/CON/BV-08', 'LAP/SEC/ERR/BI-38', 'LAP/SEC/DCN/BV-01', 'LAP/ANY/UI/BI-01', 'LAP/SEC/CON/BI-12', 'LAP/SEC/CON/BI-13'],
  'snrm-any-destination': ['LAP/SEC/CON/BI-07'],
  'snrm-truncated-wedge': ['LAP/SEC/CON/BI-09'],
  'bare-snrm': ['LAP/SEC/CON/BI-10'],
  'ignore-reset': ['LAP/SEC/RST/BV-01'],
  'top-speed-once': ['LAP/SEC/CON/BV-09'],
  'first-caddr': ['LAP/SEC/CON/BI-03', 'LAP/SEC/CON/BV-10'],
  'disc-answered-dm': ['LAP/SEC/RST/BV-01', 'LAP/SEC/DCN/BV-01'],
  'no-dm-in-ndm': ['LAP/SEC/DCN/BV-02'],
  'ignore-link-disconnect': ['LAP/SEC/DCN/TI-01'],
  'ignore-window': ['LAP/SEC/DATA/BV-03'],
  'ignore-data-size': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'TTP/ANY/SAR/BV-02', 'LAP/SEC/DATA/BV-14'],
  'data-size-step-up': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'TTP/ANY/SAR/BV-02'],
  'full-frame-short': ['IAS/SRV/IAP/BV-02', 'TTP/ANY/SAR/BV-02', 'TTP/ANY/DATA/BV-03'],
  'nr-ahead': ['LAP/SEC/RST/BV-01', 'LAP/SEC/DATA/BV-01', 'LAP/SEC/DATA/BV-02', 'LAP/SEC/DATA/BI-01', 'LAP/SEC/DATA/BI-02', 'LAP/SEC/DATA/BV-09', 'LAP/SEC/DATA/BV-10', 'LAP/SEC/DATA/BV-12', 'LMP/SRV/CON/BI-03', 'LAP/SEC/DATA/BI-04'],
  'stale-nr': ['LAP/SEC/RST/BV-01', 'LAP/SEC/DATA/BV-01', 'LAP/SEC/DATA/BV-02', 'LAP/SEC/DATA/BI-01', 'LAP/SEC/DATA/BI-02', 'LAP/SEC/DATA/BV-09', 'LAP/SEC/DATA/BV-10', 'LAP/SEC/DATA/BV-12', 'LMP/SRV/CON/BI-03', 'LAP/SEC/DATA/BI-04'],
  'no-ns-check': ['LAP/SEC/DATA/BI-01', 'LAP/SEC/DATA/BI-02'],
  'unpolled-i-ignored': ['LAP/SEC/DATA/BV-06', 'LAP/SEC/DATA/BV-09', 'LAP/SEC/DATA/BV-10'],
  'i-twice': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'LAP/SEC/DATA/BV-08', 'LAP/SEC/TIM/TI-01', 'LAP/SEC/DATA/BV-11', 'LAP/SEC/DATA/BV-13'],
  'rr-acks-all': ['LAP/SEC/DATA/BI-03'],
  'answers-unpolled': ['LAP/SEC/ERR/BI-36', 'LAP/SEC/ERR/BI-38', 'LAP/SEC/DATA/BI-05'],
  'ignore-rnr': ['LAP/SEC/DATA/BV-06'],
  'ignore-rej': ['LAP/SEC/DATA/BV-07', 'LAP/SEC/DATA/BV-08'],
  'ignore-ui': ['LAP/ANY/UI/BV-01'],
  'no-frmr': ['LAP/SEC/ERR/BI-36', 'LAP/SEC/ERR/BI-37', 'LAP/SEC/ERR/BI-03'],
  'no-test': ['LAP/ANY/TEST/BV-39', 'LAP/ANY/TEST/BV-40', 'LAP/ANY/TEST/BV-41', 'LAP/ANY/TEST/BV-42', 'LAP/ANY/TEST/BV-43'],
  'test-without-p': ['LAP/ANY/TEST/BI-01'],
  'late-answer': ['LAP/SEC/TIM/TI-01', 'LAP/SEC/TIM/TI-02'],
  'short-slot': ['LAP/PRI/XID/TI-01', 'LAP/PRI/XID/BV-02'],
  'short-media-sense': ['LAP/PRI/XID/TI-03'],
  'no-snrm-retry': ['LAP/PRI/CON/BV-02'],
  'final-xid-no-info': ['LAP/PRI/XID/BV-01'],
  'drop-reply-info': ['LAP/PRI/XID/BV-02'],
  'snrm-no-9600': ['LAP/PRI/CON/BV-01'],
  'ignore-dm': ['LAP/PRI/CON/BV-02', 'LAP/PRI/CON/BV-03'],
  'confirm-unswapped': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'LAP/SEC/DATA/BV-05', 'LAP/SEC/DATA/BV-06', 'LAP/SEC/DATA/BV-07', 'LAP/SEC/DATA/BV-08', 'LAP/SEC/DATA/BI-02', 'LAP/SEC/TIM/TI-01', 'LAP/SEC/DATA/BV-11', 'LAP/SEC/DATA/BV-12', 'LAP/SEC/DATA/BV-13', 'LAP/SEC/DATA/BI-03', 'LMP/SRV/CON/BV-01', 'LMP/SRV/DCN/BV-01', 'LMP/SRV/CON/BI-02', 'LMP/SRV/CON/BI-03', 'LMP/SRV/ACC/BV-01', 'LMP/SRV/CON/CA-01', 'LMP/SRV/DCN/CA-02', 'LMP/SRV/CON/BV-02', 'LMP/SRV/CON/BV-03', 'IAS/SRV/GVBC/BV-01', 'IAS/SRV/GVBC/BV-02', 'IAS/SRV/GVBC/BI-01', 'IAS/SRV/GVBC/BI-06', 'IAS/SRV/GVBC/BV-03', 'IAS/SRV/GVBC/BV-04', 'IAS/SRV/GVBC/BV-05', 'IAS/SRV/IAP/BV-01', 'IAS/SRV/IAP/BV-02', 'IAS/SRV/IAP/BI-01', 'IAS/SRV/GVBC/BI-02', 'IAS/SRV/GVBC/BI-03', 'IAS/SRV/GVBC/BV-06', 'IAS/SRV/GVBC/BV-07', 'IAS/SRV/GVBC/CA-01', 'IAS/SRV/IAP/BI-02', 'IAS/SRV/IAP/BI-03', 'TTP/SRV/CON/BV-01', 'TTP/ANY/CRD/BV-01', 'TTP/ANY/CRD/BV-02', 'TTP/ANY/CRD/BV-03', 'TTP/ANY/DATA/BV-01', 'TTP/ANY/CON/BV-02', 'TTP/ANY/CON/BI-01', 'TTP/ANY/CRD/BI-01', 'TTP/ANY/DCN/BV-01', 'TTP/ANY/CON/BI-02', 'SOCK/SRV/LSN/BV-01', 'SOCK/SRV/LSN/BV-02', 'SOCK/SRV/LSN/BV-03', 'SOCK/SRV/ACC/BV-01', 'SOCK/SRV/CLS/BV-01', 'SOCK/SRV/LSN/BV-05', 'SOCK/SRV/RCV/BV-01', 'SOCK/SRV/SND/BV-01', 'LAP/SEC/DATA/BV-14', 'LMP/SRV/DCN/BI-01', 'LMP/SRV/CON/BI-08', 'LMP/SRV/ACC/BI-01', 'TTP/ANY/DATA/BI-01', 'TTP/ANY/CON/BI-03', 'LMP/SRV/CON/BV-04', 'LMP/SRV/CON/BI-09', 'IAS/SRV/GVBC/BI-04', 'IAS/SRV/GVBC/BV-08', 'IAS/SRV/GVBC/BI-05', 'TTP/ANY/DATA/BV-02', 'TTP/ANY/DATA/BV-03'],
  'silent-refusal': ['LMP/SRV/CON/BI-07', 'TTP/ANY/CON/BI-02', 'SOCK/SRV/LSN/BV-02', 'SOCK/SRV/LSN/BV-03'],
  'wrong-disconnect-reason': ['LMP/SRV/DATA/BI-01'],
  'no-pair-reuse': ['LMP/SRV/DCN/BV-01', 'IAS/SRV/GVBC/BV-07', 'TTP/ANY/CRD/BI-01', 'TTP/ANY/CON/BI-02', 'LMP/SRV/CON/BI-09'],
  'no-access-mode': ['LMP/SRV/ACC/BV-01'],
  'reserved-selectors': ['LMP/SRV/CON/BI-05', 'LMP/SRV/CON/BI-06'],
  'client-selector-range': ['LMP/SRV/CON/BV-04'],
  'connect-data-59': ['LMP/SRV/CON/BV-02', 'LMP/SRV/CON/BI-09'],
  'lm-malformed-wedge': ['LMP/SRV/CON/BI-02', 'LMP/SRV/CON/BI-03'],
  'lm-stray-wedge': ['LMP/SRV/DCN/BI-01', 'LMP/SRV/CON/BI-08', 'LMP/SRV/ACC/BI-01'],
  'iap-malformed-wedge': ['IAS/SRV/GVBC/BI-02', 'IAS/SRV/IAP/BI-02', 'IAS/SRV/IAP/BI-03', 'IAS/SRV/GVBC/BI-05'],
  'ias-no-devicename': ['IAS/SRV/GVBC/BV-01'],
  'ias-lmpsupport-short': ['IAS/SRV/GVBC/BV-02'],
  'lsapsel-high-byte': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'LAP/SEC/DATA/BV-05', 'LAP/SEC/DATA/BV-06', 'LAP/SEC/DATA/BV-07', 'LAP/SEC/DATA/BV-08', 'LAP/SEC/DATA/BI-02', 'LAP/SEC/TIM/TI-01', 'LAP/SEC/DATA/BV-11', 'LAP/SEC/DATA/BV-12', 'LAP/SEC/DATA/BV-13', 'LAP/SEC/DATA/BI-03', 'LMP/SRV/ACC/BV-01', 'LMP/SRV/CON/CA-01', 'LMP/SRV/CON/BV-02', 'IAS/SRV/GVBC/BV-03', 'TTP/SRV/CON/BV-01', 'TTP/ANY/CRD/BV-01', 'TTP/ANY/CRD/BV-02', 'TTP/ANY/CRD/BV-03', 'TTP/ANY/DATA/BV-01', 'TTP/ANY/CON/BV-02', 'TTP/ANY/CON/BI-01', 'TTP/ANY/CRD/BI-01', 'TTP/ANY/DCN/BV-01', 'TTP/ANY/CON/BI-02', 'SOCK/SRV/LSN/BV-01', 'SOCK/SRV/LSN/BV-02', 'SOCK/SRV/LSN/BV-03', 'SOCK/SRV/ACC/BV-01', 'SOCK/SRV/CLS/BV-01', 'SOCK/SRV/RCV/BV-01', 'SOCK/SRV/SND/BV-01', 'LAP/SEC/DATA/BV-14', 'TTP/ANY/DATA/BI-01', 'TTP/ANY/CON/BI-03', 'TTP/ANY/DATA/BV-02', 'TTP/ANY/DATA/BV-03'],
  'ias-ignores-case': ['IAS/SRV/GVBC/BI-03', 'IAS/SRV/GVBC/BI-04'],
  'wrong-ias-code': ['LMP/SRV/CON/BV-03', 'IAS/SRV/GVBC/BI-01', 'IAS/SRV/GVBC/BI-06', 'IAS/SRV/GVBC/BV-04', 'IAS/SRV/GVBC/BV-05', 'IAS/SRV/GVBC/BI-03', 'IAS/SRV/GVBC/BV-06', 'IAS/SRV/GVBC/BI-04', 'IAS/SRV/GVBC/BV-08'],
  'iap-no-ack': ['IAS/SRV/IAP/BV-01'],
  'iap-lst-always': ['IAS/SRV/IAP/BV-02'],
  'iap-unsupported-code': ['IAS/SRV/IAP/BI-01'],
  'ias-object-id-varies': ['IAS/SRV/GVBC/BV-07'],
  'exceed-credit': ['TTP/ANY/CRD/BV-01', 'TTP/ANY/CRD/BV-02'],
  'ttp-no-initial-credit': ['LAP/SEC/DATA/BV-07', 'LAP/SEC/DATA/BV-08', 'LAP/SEC/DATA/BV-11', 'LAP/SEC/DATA/BV-12', 'LAP/SEC/DATA/BI-03', 'TTP/SRV/CON/BV-01', 'TTP/ANY/CRD/BV-01', 'TTP/ANY/CRD/BV-02', 'TTP/ANY/CRD/BV-03', 'TTP/ANY/DATA/BV-01', 'TTP/ANY/SAR/BV-01', 'TTP/ANY/SAR/BV-02', 'TTP/ANY/DCN/BV-01', 'SOCK/SRV/ACC/BV-01', 'LAP/SEC/DATA/BV-14', 'TTP/ANY/DATA/BI-01', 'TTP/ANY/CON/BI-03', 'TTP/ANY/DATA/BV-02', 'TTP/ANY/DATA/BV-03'],
  'ttp-no-credit-return': ['TTP/ANY/CRD/BV-03'],
  'ttp-credit-overflow': ['TTP/ANY/DATA/BI-01'],
  'no-sar': ['TTP/ANY/SAR/BV-01', 'TTP/ANY/SAR/BV-02'],
  'ignore-ttp-params': ['TTP/ANY/CON/BV-02', 'TTP/ANY/CON/BI-01', 'TTP/ANY/CON/BI-02'],
  'one-byte-sdu': ['TTP/ANY/DATA/BV-02'],
  'disconnect-data-closes': ['TTP/ANY/DCN/BV-01'],
  'ttp-pair-replaced': ['TTP/ANY/CON/BI-03'],
  'ttp-hostile-wedge': ['TTP/ANY/CRD/BI-01', 'TTP/ANY/CON/BI-02', 'LMP/SRV/CON/BI-09'],
  'listen-unbound': ['SOCK/SRV/LSN/BI-01'],
  'bind-name-lowercased': ['SOCK/SRV/LSN/BV-01', 'SOCK/SRV/LSN/BV-02', 'SOCK/SRV/LSN/BV-03', 'SOCK/SRV/ACC/BV-01', 'SOCK/SRV/CLS/BV-01', 'SOCK/SRV/RCV/BV-01', 'SOCK/SRV/SND/BV-01'],
  'backlog-uncapped': ['SOCK/SRV/LSN/BV-02'],
  'backlog-zero': ['SOCK/SRV/LSN/BV-03'],
  'relisten-fails': ['SOCK/SRV/LSN/BV-04'],
  'rebind-allowed': ['SOCK/SRV/BND/BI-01'],
  'addrinuse-as-einval': ['SOCK/SRV/BND/BI-02'],
  'accept-not-listening': ['SOCK/SRV/ACC/BI-01'],
  'recv-drops-byte': ['SOCK/SRV/ACC/BV-01'],
  'recv-reset-on-close': ['SOCK/SRV/RCV/BV-01'],
  'send-drops-byte': ['SOCK/SRV/SND/BV-01'],
  'close-accepted-late': ['SOCK/SRV/CLS/BV-01'],
  'close-keeps-ias': ['SOCK/SRV/LSN/BV-05'],
}

/** Cases loopback runs that no mutant can fail: they only report, and check nothing. */
const REPORTS_ONLY: Record<string, string> = {
  'LAP/SEC/CON/CA-01': 'reports Lite or full from the profile the sanity probe found; no check',
  'LAP/SEC/CON/CA-02': 'reports the negotiation parameters of the profile; no check',
  'LAP/SEC/XID/CA-01': 'reports what the device does with a discovery XID while connected; its only checks are the connect and disconnect the probe already proved',
}

/** Cases N/A on the plain loopback device, and how this test runs them after all. */
const NOT_ON_LOOPBACK: Record<string, string> = {
  'LAP/SEC/ERR/BI-02': 'our stack takes 2048-byte frames, the largest: run on a loopback device that takes 1024, it passes and no-frmr fails it',
}

const failed = (r: Report): string[] => r.results.filter(c => c.verdict !== 'PASS' && c.verdict !== 'INFO' && c.verdict !== 'N/A').map(c => c.id)

/** A mutant that only wraps the IrSock API reaches the SOCK cases only (nothing else calls the API). */
function apiOnly (m: Mutant): boolean {
  const planted = m.plant({ now: () => 0, reply: () => {} })
  return Object.keys(planted).every(k => k === 'irsock')
}

describe('conformance: mutants of the loopback stack', function () {
  let plain: Report

  before(async function () {
    const target = loopbackTarget(1)
    try { plain = await runSuite(target) } finally { await target.close() }
  })

  it('has an expectation for every mutant', () => {
    expect(MUTANTS.map(m => m.name).sort()).to.deep.equal(Object.keys(EXPECTED).sort())
  })

  it('together fail every case loopback runs: a case without a mutant fails this test', () => {
    const runs = plain.results.filter(r => r.verdict !== 'N/A').map(r => r.id).sort()
    const proven = new Set(Object.values(EXPECTED).flat())
    const claimed = [...proven, ...Object.keys(REPORTS_ONLY)].sort()
    expect([...new Set(claimed)].sort(), 'cases a mutant fails (or that only report) = cases loopback runs').to.deep.equal(runs)
    for (const id of Object.keys(REPORTS_ONLY)) expect(proven.has(id), `${id} is failed by a mutant after all: drop it from REPORTS_ONLY`).to.equal(false)
    expect(plain.results.filter(r => r.verdict === 'N/A').map(r => r.id).sort()).to.deep.equal(Object.keys(NOT_ON_LOOPBACK).sort())
    expect(CATALOGUE.length).to.equal(runs.length + Object.keys(NOT_ON_LOOPBACK).length)
  })

  it('LAP/SEC/ERR/BI-02 (N/A on loopback) applies to a device that takes 1024-byte frames: it passes, and no-frmr fails it', async () => {
    const cases = selectCases(['LAP/SEC/ERR/BI-02'])
    for (const [mutant, verdict] of [[undefined, 'PASS'], ['no-frmr', 'FAIL']] as const) {
      const target = loopbackTarget(1, { qos: { dataSize: 1024 }, ...(mutant !== undefined ? { mutant: mutantByName(mutant) } : {}) })
      const report = await runSuite(target, { cases }).finally(async () => { await target.close() })
      expect(report.results[0].verdict, mutant ?? 'no mutant').to.equal(verdict)
    }
  })

  for (const m of MUTANTS) {
    it(`${m.name} (${m.bug}) fails exactly its cases`, async () => {
      const target = loopbackTarget(1, { mutant: m })
      const report = await runSuite(target, apiOnly(m) ? { cases: selectCases(['SOCK/*']) } : {}).finally(async () => { await target.close() })
      expect(report.sanity.before).to.equal('ok')
      const ids = failed(report)
      expect(ids.sort()).to.deep.equal([...EXPECTED[m.name]].sort())
      for (const r of report.results.filter(x => ids.includes(x.id))) expect(r.trace.some(l => l.dir === '!!'), `${r.id} flags the check that failed`).to.equal(true)
    })
  }
})
