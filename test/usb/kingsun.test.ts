import { expect } from 'chai'
import fc from 'fast-check'
import { sirWrap } from '@irdakit/phy'
import { Room } from '@irdakit/emulator'
import { kingsunCodec as K, KingsunModel, type KingsunVariant } from '@irdakit/usb'
import { nextEvent, testFrame, usbWorld, wholeStack } from './helpers.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'))

describe('usb/KingSun family codecs', () => {
  it('speed parameters: 9600 8N1 is 80250000 03000000, as the Linux guest sent it', () => {
    expect(K.encodeSpeedParams(9600)).to.deep.equal(hex('80250000 03000000'))
    expect(K.decodeSpeedParams(hex('00c20100 03000000'))).to.equal(115200)
    expect(K.decodeSpeedParams(hex('80250000 03000001'))).to.equal(undefined)
  })

  it('KS-959 OUT: XOR mask from "wangshuofei19710", padding to ((n + 7) & ~7) + 16; 0xff goes out as 0xcc for a 3-byte fragment', () => {
    // n = 3: lookup[3 ^ 6] = lookup[5] = 'h' (0x68); 0x68 ^ 0x55 = 0x3d.
    expect(K.ks959TxMask(3)).to.equal(0x3D)
    const o = K.ks959Obfuscate(hex('ffc0c1'))
    expect(o.length).to.equal(24)
    expect([...o.subarray(0, 3)]).to.deep.equal([0xFF ^ 0x3D, 0xC0 ^ 0x3D, 0xC1 ^ 0x3D])
    fc.assert(fc.property(fc.uint8Array({ maxLength: K.KS959_MAX_CLEAR }), clear => {
      expect(K.ks959Deobfuscate(K.ks959Obfuscate(clear), clear.length)).to.deep.equal(clear)
    }))
    expect(K.ks959Deobfuscate(new Uint8Array(20), 3)).to.equal(undefined)
  })

  it('KS-959 IN: a session-long counter; the byte at each wrap is skipped, so any chunking round-trips', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }), chunks => {
      const chip = new K.Ks959RxCipher()
      const host = new K.Ks959RxCipher()
      const got = chunks.map(c => host.clear(chip.hide(c)))
      expect(Buffer.concat(got)).to.deep.equal(Buffer.concat(chunks))
    }))
  })

  it('Dazzle packets are 8 bytes, 0xF8 + n then n <= 7 bytes; KingSun reports carry a count byte', () => {
    const w = sirWrap(testFrame(20))
    const packets = K.dazzlePackets(w)
    expect(packets.every(p => p.length === 8 && p[0] >= 0xF8 && p[0] <= 0xFF)).to.equal(true)
    expect(Buffer.concat(packets.map(p => K.dazzleUnpack(p)!))).to.deep.equal(Buffer.from(w))
    expect(K.dazzleUnpack(hex('f3000000 00000000'))).to.equal(undefined)
    const reports = K.kingsunReports(w, 8)
    expect(Buffer.concat(reports.map(K.kingsunReport))).to.deep.equal(Buffer.from(w))
    expect(K.kingsunReport(hex('00ffffff ffffffff')).length).to.equal(0)
    expect(K.kingsunReport(hex('08ffffff ffffffff')).length).to.equal(0)
  })
})

describe('usb/Dazzle model with the packets Linux 4.9\'s ksdazzle-sir sent (qemu usb-redir, 0.01 ms turnaround)', () => {
  // One I frame of the guest's echocli, as its 8-byte interrupt OUT packets (docs/usb.md, "Dazzle").
  const packets = ['ffc04c306412006c', 'ff696e757820746f', 'ff20697264616b69', 'ff7420766961206b', 'ff7364617a7a6c65', 'fb7536c100000000'].map(hex)
  const frame = Buffer.concat([Buffer.from('4c30641200', 'hex'), Buffer.from('linux to irdakit via ksdazzle')])

  async function send (sequence: Uint8Array[]): Promise<{ model: KingsunModel, onAir: Buffer[] }> {
    const room = new Room({ time: 'virtual', seed: 7 })
    const model = new KingsunModel(room.clock, room.port('dongle'), 'ksdazzle')
    const onAir: Buffer[] = []
    room.port('peer').listen(ev => { if (ev.type === 'frame') onAir.push(Buffer.from(ev.frame)) })
    await model.open()
    for (const p of sequence) await room.run(model.transferOut(2, p))
    await room.run(new Promise<void>(resolve => { room.clock.setTimer(room.clock.now() + 50, resolve) }))
    return { model, onAir }
  }

  it('reads them as one good frame', async () => {
    const { model, onAir } = await send(packets)
    expect(onAir).to.deep.equal([frame])
    expect(model.stats.refused, model.stats.lastRefusal).to.equal(0)
  })

  it('with the first packet repeated, as Linux sent it when qemu completed the transfer inside usb_submit_urb: one refusal (a BOF inside a frame), and the frame still goes on air from the second BOF', async () => {
    const { model, onAir } = await send([packets[0], ...packets])
    expect(onAir).to.deep.equal([frame])
    expect(model.stats.refused).to.equal(1)
    expect(model.stats.lastRefusal).to.match(/abort/)
  })
})

const tops: Record<KingsunVariant, number> = { kingsun: 9600, ksdazzle: 115200, ks959: 57600 }

describe('usb/KingSun family drivers over their models in a virtual room', () => {
  for (const variant of ['kingsun', 'ksdazzle', 'ks959'] as const) {
    it(`${variant}: the whole stack (discovery, IAS, TinyTP echo) runs over it, link at ${tops[variant]}`, async () => {
      const w = await usbWorld(51, (clock, station) => new KingsunModel(clock, station, variant))
      expect(w.port.driver.kind).to.equal(variant)
      expect(await wholeStack(w, 3000)).to.equal(tops[variant])
      expect(w.model.stats.refused, w.model.stats.lastRefusal).to.equal(0)
      if (variant !== 'kingsun') expect((w.model as KingsunModel).speedRequests).to.deep.equal([9600, tops[variant], 9600])
    })

    it(`${variant}: a damaged reception is counted as an FCS error`, async () => {
      const w = await usbWorld(52, (clock, station) => new KingsunModel(clock, station, variant))
      w.room.faults({ ber: 0.02 })
      w.room.port('p').send(testFrame(200))
      await w.room.run(nextEvent(w.port, 'rx-error'))
      expect(Object.values(w.port.stats.rxErrors).reduce((a, b) => a + b, 0)).to.be.greaterThan(0)
    })
  }
})
