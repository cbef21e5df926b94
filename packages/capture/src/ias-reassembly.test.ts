import { expect } from 'chai'
import { decodeFrame } from './describe.js'
import { DecodeSession } from './describe-upper.js'

/** An I frame carrying an IAS GetValueByClass request fragment (Lst clear) from LSAP 0x11 to IAS. */
const iasFragment = (body: number): Uint8Array => {
  const frame = new Uint8Array(4 + 1 + body).fill(0x41)
  frame.set([0x87, 0x10, 0x00, 0x11, 0x04]) // I frame, LSAPs 0x11 > 0x00, IAP GetValueByClass, Lst=0
  return frame
}

describe('capture/DecodeSession IAS reassembly (issue 13, defect 6)', () => {
  it('keeps at most 4096 bytes of an IAS operation that never sets Lst, and counts the overflow', () => {
    const session = new DecodeSession()
    let errors = 0
    for (let i = 0; i < 2000; i++) if (decodeFrame(iasFragment(60), session).error !== undefined) errors++
    // Without a bound this held 120,000 bytes (and copied them on every frame).
    expect(session.retainedIasBytes()).to.be.at.most(4096)
    expect(session.stats.iasOverflows).to.equal(Math.floor(2000 / Math.ceil(4097 / 60)))
    expect(errors).to.equal(session.stats.iasOverflows)
  })

  it('reports the overflowing frame, and reassembles a proper operation after it', () => {
    const session = new DecodeSession()
    const results = Array.from({ length: 69 }, () => decodeFrame(iasFragment(60), session))
    expect(results[67].error).to.equal(undefined)
    expect(results[68].error).to.match(/^IAS: .*4096/)
    // A two-frame GetValueByClass "Echo" "IrDA:TinyTP:LsapSel" still decodes whole.
    const body = [4, ...Buffer.from('Echo'), 19, ...Buffer.from('IrDA:TinyTP:LsapSel')]
    const first = Uint8Array.of(0x87, 0x10, 0x00, 0x11, 0x04, ...body.slice(0, 10))
    const last = Uint8Array.of(0x87, 0x10, 0x00, 0x11, 0x84, ...body.slice(10))
    expect(decodeFrame(first, session).error).to.equal(undefined)
    const whole = decodeFrame(last, session)
    expect(whole.error).to.equal(undefined)
    expect(whole.summary).to.match(/ias: GetValueByClass "Echo" "IrDA:TinyTP:LsapSel"$/)
    expect(whole.layers[2].fields.frames).to.equal(2)
  })
})
