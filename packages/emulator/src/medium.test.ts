import { expect } from 'chai'
import { sirWrap } from '@irdakit/phy'
import { Medium } from './medium.js'
import type { MediumOutput } from './messages.js'

/** The core speaks plain messages: drive it by hand, no clock, no ports. */
describe('emulator/Medium (sans-I/O core)', () => {
  const frame = Uint8Array.from([0x03, 0x93, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x18])
  const wire = sirWrap(frame, { xbofs: 10 }) // 24 bytes: 25 ms at 9600

  const brief = (outs: MediumOutput[]): unknown[] => outs.map(o => o.type === 'summary'
    ? { type: 'summary', id: o.summary.id, at: o.at, receptions: o.summary.receptions }
    : o.type === 'receive' ? { ...o, bytes: o.bytes.length } : o)

  it('announces a transmission at once and delivers it at the end of its airtime, in a fixed order', () => {
    const m = new Medium(1)
    m.handle({ type: 'attach', station: 'a', speed: 9600 }, 0)
    m.handle({ type: 'attach', station: 'b', speed: 9600 }, 0)
    expect(m.nextDeadline()).to.equal(undefined)
    m.handle({ type: 'transmit', station: 'a', speed: 9600, xbofs: 10, wire, frame }, 3)
    expect(m.nextDeadline()).to.equal(3)
    expect(brief(m.poll(3))).to.deep.equal([{ type: 'media', station: 'b', busy: true, at: 3 }])
    expect(m.nextDeadline()).to.equal(28)
    expect(m.poll(27.9)).to.deep.equal([])
    expect(brief(m.poll(28))).to.deep.equal([
      { type: 'media', station: 'b', busy: false, at: 28 },
      { type: 'receive', station: 'b', txId: 1, bytes: 24, at: 28 },
      { type: 'tx-end', station: 'a', txId: 1, at: 28 },
      { type: 'summary', id: 1, at: 28, receptions: [{ station: 'b', heard: true, effects: [] }] },
    ])
    expect(m.nextDeadline()).to.equal(undefined)
  })

  it('delivers the exact wire bytes when nothing interferes', () => {
    const m = new Medium(1)
    m.handle({ type: 'attach', station: 'a', speed: 9600 }, 0)
    m.handle({ type: 'attach', station: 'b', speed: 9600 }, 0)
    m.handle({ type: 'transmit', station: 'a', speed: 9600, xbofs: 10, wire, frame }, 0)
    const rx = m.poll(25).find(o => o.type === 'receive')
    expect(rx?.type === 'receive' ? Buffer.from(rx.bytes).toString('hex') : '').to.equal(Buffer.from(wire).toString('hex'))
  })

  it('gives a receiver at another speed noise sized by its own byte clock', () => {
    const m = new Medium(1)
    m.handle({ type: 'attach', station: 'a', speed: 9600 }, 0)
    m.handle({ type: 'attach', station: 'b', speed: 115200 }, 0)
    m.handle({ type: 'transmit', station: 'a', speed: 9600, xbofs: 10, wire, frame }, 0)
    const rx = m.poll(25).find(o => o.type === 'receive')
    // 25 ms at 115200 (10 bits a byte) is 288 byte times.
    expect(rx?.type === 'receive' ? rx.bytes.length : -1).to.equal(288)
  })
})

describe('emulator/Medium attachments', () => {
  const frame = Uint8Array.from([0xFF, 0x13, 0x01])
  const wire = sirWrap(frame)

  it('a station that leaves and rejoins under the same name gets nothing from a transmission that began before', () => {
    const m = new Medium(1)
    m.handle({ type: 'attach', station: 'a', speed: 9600 }, 0)
    m.handle({ type: 'attach', station: 'b', speed: 9600 }, 0)
    m.handle({ type: 'transmit', station: 'a', speed: 9600, xbofs: 0, wire, frame }, 0)
    m.handle({ type: 'detach', station: 'b' }, 1)
    m.handle({ type: 'attach', station: 'b', speed: 9600 }, 2)
    const outs = m.poll(100)
    expect(outs.map(o => o.type)).to.deep.equal(['media', 'tx-end', 'summary'])
    // Its media-busy count starts clean: the next transmission raises and clears it.
    m.handle({ type: 'transmit', station: 'a', speed: 9600, xbofs: 0, wire, frame }, 100)
    const next = m.poll(200).filter(o => o.type === 'media')
    expect(next.map(o => o.type === 'media' && o.busy)).to.deep.equal([true, false])
  })
})
