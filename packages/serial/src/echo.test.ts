import { expect } from 'chai'
import fc from 'fast-check'
import { EchoFilter } from '@irdakit/serial'

describe('serial/echo suppression', () => {
  it('drops exactly the echo, however it is chunked, and passes what follows', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (sent, reply, chunk) => {
      const f = new EchoFilter()
      f.expect(sent)
      const wire = Uint8Array.from([...sent, ...reply])
      const out: number[] = []
      for (let i = 0; i < wire.length; i += chunk) out.push(...f.filter(wire.subarray(i, i + chunk)))
      expect(Uint8Array.from(out)).to.deep.equal(reply)
      expect(f.suppressed).to.equal(sent.length)
    }))
  })

  it('gives up on a damaged echo and passes the rest as reception', () => {
    const f = new EchoFilter()
    f.expect(Uint8Array.of(1, 2, 3, 4))
    expect([...f.filter(Uint8Array.of(1, 2, 9, 4, 5))]).to.deep.equal([9, 4, 5])
    expect(f.pending).to.equal(false)
  })
})
