/*!
 * Every mutant (a fault switch planted in the loopback stack) fails exactly the cases that
 * check the behaviour it breaks, and no others: the cases can fail, and they fail for the
 * right reason.
 */
import { expect } from 'chai'
import { MUTANTS, loopbackTarget, runSuite } from '@irdakit/conformance'

const EXPECTED: Record<string, string[]> = {
  'xid-slot-zero': ['LAP/SEC/XID/BV-04', 'LAP/SEC/XID/BV-05'],
  'ignore-window': ['LAP/SEC/DATA/BV-03'],
  'ignore-data-size': ['LAP/SEC/DATA/BV-03', 'LAP/SEC/DATA/BV-04', 'LAP/SEC/DATA/BV-14', 'TTP/ANY/SAR/BV-02'],
  'no-frmr': ['LAP/SEC/ERR/BI-36', 'LAP/SEC/ERR/BI-37', 'LAP/SEC/ERR/BI-03'],
  'ignore-rej': ['LAP/SEC/DATA/BV-07', 'LAP/SEC/DATA/BV-08'],
  'no-test': ['LAP/ANY/TEST/BV-39', 'LAP/ANY/TEST/BV-40', 'LAP/ANY/TEST/BV-41', 'LAP/ANY/TEST/BV-42', 'LAP/ANY/TEST/BV-43'],
  'wrong-ias-code': ['IAS/SRV/GVBC/BI-01', 'IAS/SRV/GVBC/BI-06', 'IAS/SRV/GVBC/BI-03', 'IAS/SRV/GVBC/BV-04', 'IAS/SRV/GVBC/BV-05', 'IAS/SRV/GVBC/BV-06', 'IAS/SRV/GVBC/BI-04', 'IAS/SRV/GVBC/BV-08', 'LMP/SRV/CON/BV-03'],
  'exceed-credit': ['TTP/ANY/CRD/BV-01', 'TTP/ANY/CRD/BV-02'],
}

describe('conformance: mutants of the loopback stack', function () {
  it('has an expectation for every mutant', () => {
    expect(MUTANTS.map(m => m.name).sort()).to.deep.equal(Object.keys(EXPECTED).sort())
  })

  for (const m of MUTANTS) {
    it(`${m.name} (${m.bug}) fails exactly its cases`, async () => {
      const target = loopbackTarget(1, { mutant: m })
      const report = await runSuite(target).finally(async () => { await target.close() })
      expect(report.sanity.before).to.equal('ok')
      const failed = report.results.filter(r => r.verdict !== 'PASS' && r.verdict !== 'INFO' && r.verdict !== 'N/A').map(r => r.id)
      expect(failed.sort()).to.deep.equal([...EXPECTED[m.name]].sort())
      for (const r of report.results.filter(x => failed.includes(x.id))) expect(r.trace.some(l => l.dir === '!!'), `${r.id} flags the check that failed`).to.equal(true)
    })
  }
})
