/*!
 * The IrCOMM goodput bench (test/bench/ircomm-goodput.ts) in its short form, as a guard on the
 * figures docs/ircomm.md quotes: virtual time and seeded, so the ratios are the same on every
 * machine. Each transfer is compared byte for byte inside the bench.
 */
import { expect } from 'chai'
import { ircommGoodputBench } from '../bench/ircomm-goodput.js'

describe('ircomm/goodput (the bench, --quick)', () => {
  it('9-wire at 9600, 115200 and 4M, and 3-wire raw at 115200, each within 5% of the ideal schedule', async () => {
    const rows = await ircommGoodputBench({ quick: true })
    expect(rows.map(r => `${r.bps}`)).to.deep.equal(['9600', '115200', '115200', '4000000'])
    for (const r of rows) expect(r.ratio, r.case).to.be.at.least(0.95)
  })
})
