import { expect } from 'chai'
import fc from 'fast-check'
import { decodeCookedFrame, encodeCookedFrame } from './ircomm.js'

const hex = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : Buffer.from(b).toString('hex')

describe('irsock/IrCOMM cooked frames', () => {
  it('encodes data behind clen 0 and decodes control and data apart (fixtures)', () => {
    expect(hex(encodeCookedFrame(Uint8Array.from(Buffer.from('ATI\r'))))).to.equal('00415449' + '0d')
    const f = decodeCookedFrame(Uint8Array.of(0x03, 0x21, 0x01, 0xB0, 0x4F, 0x4B))
    expect([hex(f?.control), hex(f?.data)]).to.deep.equal(['2101b0', '4f4b'])
    const controlOnly = decodeCookedFrame(Uint8Array.of(0x03, 0x20, 0x01, 0x0C))
    expect([hex(controlOnly?.control), hex(controlOnly?.data)]).to.deep.equal(['20010c', ''])
  })

  it('rejects an empty frame and one whose clen runs past its end (Linux drops those)', () => {
    expect(decodeCookedFrame(new Uint8Array(0))).to.equal(undefined)
    expect(decodeCookedFrame(Uint8Array.of(0x05, 0x21, 0x01))).to.equal(undefined)
    expect(decodeCookedFrame(Uint8Array.of(0x01))).to.equal(undefined)
  })

  it('round-trips any data, and splits any frame at clen', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), data => {
      const f = decodeCookedFrame(encodeCookedFrame(data))
      expect(hex(f?.control)).to.equal('')
      expect(hex(f?.data)).to.equal(hex(data))
    }))
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), frame => {
      const f = decodeCookedFrame(frame)
      if (frame[0] + 1 > frame.length) expect(f).to.equal(undefined)
      else expect(hex(Uint8Array.from([frame[0], ...(f?.control ?? []), ...(f?.data ?? [])]))).to.equal(hex(frame))
    }))
  })
})
