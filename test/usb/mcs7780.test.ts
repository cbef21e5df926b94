import { expect } from 'chai'
import fc from 'fast-check'
import { SirUnwrapper, sirWrap } from '@irdakit/phy'
import { decodeMcsReceive, Mcs7780Model, mcs7780Codec as M } from '@irdakit/usb'
import { nextEvent, testFrame, usbWorld, wholeStack } from './helpers.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'))

describe('usb/mcs7780 codec', () => {
  it('SIR transfer = u16 LE length counting itself + the SIR-wrapped frame (as the Linux guest sent its XID)', () => {
    const frame = hex('ff3f')
    const t = M.encodeMcsTransfer(frame, 9600)
    const wrapped = sirWrap(frame)
    expect(t.length).to.equal(wrapped.length + 2)
    expect([t[0], t[1]]).to.deep.equal([t.length & 0xFF, t.length >> 8])
    expect(t.subarray(2)).to.deep.equal(wrapped)
  })

  it('MIR and FIR transfers: length + frame + FCS-16 / FCS-32 LSB first; any frame round-trips through the receive decoder', () => {
    expect(M.encodeMcsTransfer(hex('313233343536373839'), 576000).subarray(-2)).to.deep.equal(hex('6e90'))
    expect(M.encodeMcsTransfer(hex('313233343536373839'), 4000000).subarray(-4)).to.deep.equal(hex('2639f4cb'))
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 2050 }), fc.constantFrom(...M.MCS_SPEEDS), (frame, bps) => {
      const t = M.encodeMcsTransfer(frame, bps)
      const body = M.decodeMcsTransfer(t)
      expect(body.ok).to.equal(true)
      // What the chip would hand back for the same frame on air.
      const rx = bps <= 115200 ? M.mcsSirReceive(frame) : body.ok ? body.value : new Uint8Array()
      expect(decodeMcsReceive(rx, bps, new SirUnwrapper())).to.deep.equal([{ type: 'frame', frame }])
    }))
  })

  it('a damaged reception is a counted FCS error, a short MIR/FIR one a runt; a wrong length prefix is refused', () => {
    const rx = M.mcsSirReceive(testFrame(20))
    rx[5] ^= 0x01
    expect(decodeMcsReceive(rx, 9600, new SirUnwrapper())).to.deep.equal([{ type: 'error', reason: 'fcs' }])
    expect(decodeMcsReceive(hex('ff3f01'), 576000, new SirUnwrapper())).to.deep.equal([{ type: 'error', reason: 'runt' }])
    expect(M.decodeMcsTransfer(hex('0500ff3f')).ok).to.equal(false)
  })

  it('MODE register: speeds in bits 7-5, 4M as the FIR bit', () => {
    expect(M.modeForSpeed(0x1422, 9600)).to.equal(0x1422)
    expect(M.modeForSpeed(0x1422, 115200)).to.equal(0x14A2)
    expect(M.modeForSpeed(0x14A2, 4000000)).to.equal(0x1403)
    for (const s of M.MCS_SPEEDS) expect(M.speedOfMode(M.modeForSpeed(0x1402, s))).to.equal(s)
  })
})

describe('usb/mcs7780 driver over the MCS7780 model in a virtual room', () => {
  it('sets the chip up as Linux does (the same register writes the guest made, with a real register file)', async () => {
    const w = await usbWorld(41, (clock, station) => new Mcs7780Model(clock, station))
    const m = w.model as Mcs7780Model
    // The guest wrote 0x1422 where we write 0x1622: USB.md's probe answered every read with 0, so
    // the DRIVER bit (0x0200) written first was not read back; a register file keeps it.
    expect(m.writes).to.deep.equal([[0, 0x0220], [4, 0], [0, 0x1622], [2, 5], [2, 4], [2, 0], [2, 8], [0, 0x1622]])
    expect(m.speed).to.equal(9600)
  })

  for (const top of [115200, 1152000, 4000000]) {
    it(`the whole stack (discovery, IAS, TinyTP echo) runs over it, link at ${top} (SIR${top > 115200 ? ', then ' + (top > 1152000 ? 'FIR' : 'MIR') : ''})`, async () => {
      const w = await usbWorld(42, (clock, station) => new Mcs7780Model(clock, station), {}, [9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000].filter(s => s <= top))
      expect(await wholeStack(w, 8000)).to.equal(top)
      expect(w.model.stats.refused, w.model.stats.lastRefusal).to.equal(0)
      // MINRXPW went to 5 for MIR/FIR, as MosChip recommends.
      if (top > 115200) expect((w.model as Mcs7780Model).writes.some(([r, v]) => r === 4 && v === 5)).to.equal(true)
    })
  }

  it('offers the 1 ms minimum turnaround Linux\'s mcs7780 offers (qos_mtt_bits 0x07), so the peer need not wait 10 ms', async () => {
    const w = await usbWorld(44, (clock, station) => new Mcs7780Model(clock, station))
    expect(w.port.qos.minTurnaroundMs).to.equal(1)
    const server = w.b.ttpListen()
    await w.room.run(w.a.discover())
    await w.room.run(w.a.ttpConnect({ deviceAddress: w.b.deviceAddress, remoteLsap: server.lsap }))
    // The peer waits what we asked for before it answers us.
    expect(w.b.station.link?.txMinTurnaroundMs).to.equal(1)
    await w.room.run(w.a.close())
    await w.room.run(w.b.close())
  })

  it('a damaged reception is counted as an FCS error on the port', async () => {
    const w = await usbWorld(43, (clock, station) => new Mcs7780Model(clock, station))
    const peer = w.room.port('p')
    w.room.faults({ ber: 0.02 })
    peer.send(testFrame(200))
    await w.room.run(nextEvent(w.port, 'rx-error'))
    expect(w.port.stats.rxErrors.fcs + w.port.stats.rxErrors.abort + w.port.stats.rxErrors.runt).to.be.greaterThan(0)
  })
})
