import { expect } from 'chai'
import fc from 'fast-check'
import { sirWrap } from '@irdakit/phy'
import { resampleUart } from '@irdakit/serial'

const SIR = [2400, 9600, 19200, 38400, 57600, 115200]

describe('serial/uart resampling', () => {
  it('passes bytes unchanged when both ends run at one baud rate', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...SIR), (bytes, baud) => {
      expect(resampleUart(bytes, baud, baud)).to.deep.equal(bytes)
    }))
  })

  it('decodes a byte sent at the same rate through the waveform path too (rates differ by < 2 %)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), bytes => {
      expect(resampleUart(bytes, 115200, 115200 * 1.015)).to.deep.equal(bytes)
    }))
  })

  it('garbles any SIR frame sent at 9600 to a 115200 receiver and back', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 32 }), frame => {
      const bytes = sirWrap(frame)
      expect(resampleUart(bytes, 9600, 115200)).to.not.deep.equal(bytes)
      expect(resampleUart(bytes, 115200, 9600)).to.not.deep.equal(bytes)
    }))
  })

  it('turns one slow byte into one fast byte per low bit: 0x55 at 9600 is five zero bytes at 115200', () => {
    expect([...resampleUart(Uint8Array.of(0x55), 9600, 115200)]).to.deep.equal([0, 0, 0, 0, 0])
  })

  it('sees a long low run as one break byte, as a 16550 does', () => {
    expect([...resampleUart(Uint8Array.of(0x00), 9600, 115200)]).to.deep.equal([0])
  })
})
