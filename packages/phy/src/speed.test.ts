import { expect } from 'chai'
import fc from 'fast-check'
import { LocalProtocolError } from '@irdakit/core'
import {
  SPEEDS, speedInfo, wrapForSpeed, createUnwrapper, airtimeMs, UnsupportedSpeedError, isSupportedSpeed,
  additionalBofs, xbofsForDelay, minTurnaroundMs, sirWrap, FIR_OVERHEAD_WIRE_BYTES, MIN_TURNAROUND_MS,
} from './index.js'
import { pushChunked, describe as show } from './test-util.js'

describe('phy/speeds', () => {
  it('lists the IrDA speeds with their modulation and QoS bit', () => {
    expect(SPEEDS).to.deep.equal([2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000])
    expect(SPEEDS.map(s => speedInfo(s).modulation)).to.deep.equal(['SIR', 'SIR', 'SIR', 'SIR', 'SIR', 'SIR', 'MIR', 'MIR', 'FIR'])
    expect(SPEEDS.map(s => speedInfo(s).qosBit)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(() => speedInfo(14400)).to.throw(UnsupportedSpeedError)
    expect(isSupportedSpeed(14400)).to.equal(false)
  })

  it('airtime: SIR 10 bits per byte, MIR 8, FIR 1 us per wire byte', () => {
    const frame = new Uint8Array(100)
    const sir = sirWrap(frame, { xbofs: 10 })
    expect(airtimeMs(sir, 9600)).to.be.closeTo(sir.length * 10 / 9.6, 1e-9)
    expect(airtimeMs(1, 115200)).to.be.closeTo(10 / 115.2, 1e-12)
    expect(airtimeMs(576, 576000)).to.be.closeTo(8, 1e-12)
    const fir = wrapForSpeed(frame, 4000000)
    expect(fir.length).to.equal(FIR_OVERHEAD_WIRE_BYTES + 2 * 104)
    // 104 bytes at 4 Mb/s = 208 us, plus 40 us of preamble and flags.
    expect(airtimeMs(fir, 4000000)).to.be.closeTo(0.248, 1e-12)
  })

  it('property: wrapForSpeed and createUnwrapper agree at every speed under any chunking', () => {
    fc.assert(fc.property(fc.constantFrom(...SPEEDS), fc.uint8Array({ minLength: 2, maxLength: 300 }), fc.nat({ max: 20 }), fc.array(fc.nat(), { maxLength: 6 }),
      (bps, frame, xbofs, cuts) => {
        const wire = wrapForSpeed(frame, bps, { xbofs })
        expect(show(pushChunked(createUnwrapper(bps), wire, cuts))).to.deep.equal([Buffer.from(frame).toString('hex')])
      }))
  })

  it('a frame sent at another speed never arrives as a good frame', () => {
    const frame = Uint8Array.from({ length: 40 }, (_, i) => i * 7)
    for (const tx of SPEEDS) {
      for (const rx of SPEEDS) {
        if (speedInfo(tx).modulation === speedInfo(rx).modulation) continue
        const evs = createUnwrapper(rx).push(wrapForSpeed(frame, tx, { xbofs: 5 }))
        expect(evs.filter(e => e.type === 'frame'), `${tx} -> ${rx}`).to.deep.equal([])
      }
    }
  })
})

describe('phy/IrLAP per-speed tables', () => {
  it('additional BOFs: the 115200 table, scaled down (rounded down) at slower SIR speeds', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(b => additionalBofs(b, 115200))).to.deep.equal([48, 24, 12, 5, 3, 2, 1, 0])
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(b => additionalBofs(b, 57600))).to.deep.equal([24, 12, 6, 2, 1, 1, 0, 0])
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(b => additionalBofs(b, 9600))).to.deep.equal([4, 2, 1, 0, 0, 0, 0, 0])
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(b => additionalBofs(b, 2400))).to.deep.equal([1, 0, 0, 0, 0, 0, 0, 0])
    expect(additionalBofs(0, 4000000)).to.equal(0)
    expect(() => additionalBofs(8, 9600)).to.throw(LocalProtocolError)
  })

  it('minimum turnaround per bit, and the XBOFs that fill it (rounded up)', () => {
    expect(MIN_TURNAROUND_MS).to.deep.equal([10, 5, 1, 0.5, 0.1, 0.05, 0.01, 0])
    expect(minTurnaroundMs(1)).to.equal(5)
    expect(xbofsForDelay(5, 115200)).to.equal(58) // 57.6 byte times
    expect(xbofsForDelay(10, 9600)).to.equal(10) // 9.6
    expect(xbofsForDelay(1, 9600)).to.equal(1) // 0.96
    expect(xbofsForDelay(0, 115200)).to.equal(0)
    expect(xbofsForDelay(0.01, 115200)).to.equal(1)
    expect(() => xbofsForDelay(1, 4000000)).to.throw(LocalProtocolError)
    expect(() => xbofsForDelay(-1, 9600)).to.throw(LocalProtocolError)
  })

  it('property: the XBOF fill lasts at least the delay and less than one byte more', () => {
    fc.assert(fc.property(fc.constantFrom(...SPEEDS.filter(s => s <= 115200)), fc.constantFrom(...MIN_TURNAROUND_MS), (bps, ms) => {
      const n = xbofsForDelay(ms, bps)
      expect(airtimeMs(n, bps)).to.be.at.least(ms - 1e-9)
      expect(airtimeMs(n, bps) - ms).to.be.below(airtimeMs(1, bps))
    }))
  })
})
