import { expect } from 'chai'
import fc from 'fast-check'
import { sirWrap } from '@irdakit/phy'
import { Stir4200Model, stir4200Codec as S } from '@irdakit/usb'
import { nextEvent, testFrame, usbWorld, wholeStack } from './helpers.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'))

describe('usb/stir4200 codec', () => {
  it('SIR transfer: 55 AA, u16 LE length of the rest, the SIR-wrapped frame', () => {
    const w = sirWrap(hex('ff3f'))
    expect(S.encodeStirTransfer(hex('ff3f'), 9600)).to.deep.equal(Uint8Array.from([0x55, 0xAA, w.length, 0, ...w]))
    expect(S.decodeStirTransfer(hex('55aa0300c0c1')).ok).to.equal(false)
  })

  it('FIR stream: 16 x 7F, 7E 7E, escaped frame + FCS-32, 7E 7E; round trip for any frame and any chunking', () => {
    const f = S.stirFirWrap(hex('7e7d7f'))
    expect([...f.subarray(0, 18)]).to.deep.equal([...new Array(16).fill(0x7F), 0x7E, 0x7E])
    expect([...f.subarray(18, 24)]).to.deep.equal([0x7D, 0x5E, 0x7D, 0x5D, 0x7D, 0x5F])
    expect([...f.subarray(-2)]).to.deep.equal([0x7E, 0x7E])
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 2050 }), fc.integer({ min: 1, max: 64 }), (frame, chunk) => {
      const wire = S.stirFirWrap(frame)
      const u = new S.StirFirUnwrapper()
      const evs = []
      for (let i = 0; i < wire.length; i += chunk) evs.push(...u.push(wire.subarray(i, i + chunk)))
      expect(evs).to.deep.equal([{ type: 'frame', frame }])
    }))
  })

  it('FIR receive errors: bad FCS, unescaped 7F, runt; hostile bytes never throw', () => {
    const w = S.stirFirWrap(testFrame(30))
    w[25] ^= 0x01
    expect(new S.StirFirUnwrapper().push(w)).to.deep.equal([{ type: 'error', reason: 'fcs' }])
    expect(new S.StirFirUnwrapper().push(hex('7e ff 7f'))).to.deep.equal([{ type: 'error', reason: 'abort' }])
    expect(new S.StirFirUnwrapper().push(hex('7e ff 3f 7e'))).to.deep.equal([{ type: 'error', reason: 'runt' }])
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), b => { new S.StirFirUnwrapper().push(b) }))
  })

  it('MODE and PDCLK: SIR 0x2a at 9600 (as the guest wrote), FIR 0x8e at 4M, 2400 with its own bit', () => {
    expect(S.modeFor(9600)).to.equal(0x2A)
    expect(S.modeFor(4000000)).to.equal(0x8E)
    expect(S.modeFor(2400)).to.equal(0x2B)
    for (const s of S.STIR_SPEEDS) expect(S.speedOf(S.modeFor(s), S.PDCLK[s])).to.equal(s)
  })
})

describe('usb/stir4200 driver over the STIr4200 model in a virtual room', () => {
  it('opens with the register writes the Linux guest made', async () => {
    const w = await usbWorld(61, (clock, station) => new Stir4200Model(clock, station))
    expect((w.model as Stir4200Model).writes).to.deep.equal([[3, 0x01], [8, 0x15], [2, 0x77], [1, 0x2A], [3, 0x80], [3, 0x00], [4, 0x20]])
  })

  for (const [top, speeds] of [[115200, [9600, 115200]], [4000000, undefined]] as const) {
    it(`the whole stack (discovery, IAS, TinyTP echo) runs over it, link at ${top}`, async () => {
      const w = await usbWorld(62, (clock, station) => new Stir4200Model(clock, station), {}, speeds === undefined ? undefined : [...speeds])
      expect(await wholeStack(w, 8000)).to.equal(top)
      expect(w.model.stats.refused, w.model.stats.lastRefusal).to.equal(0)
    })
  }

  it('a damaged reception is counted as an FCS error', async () => {
    const w = await usbWorld(63, (clock, station) => new Stir4200Model(clock, station))
    w.room.faults({ ber: 0.02 })
    w.room.port('p').send(testFrame(200))
    await w.room.run(nextEvent(w.port, 'rx-error'))
    expect(Object.values(w.port.stats.rxErrors).reduce((a, b) => a + b, 0)).to.be.greaterThan(0)
  })
})
