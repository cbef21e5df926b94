import { expect } from 'chai'
import fc from 'fast-check'
import { WireError } from '@irdakit/core'
import { parseFrame, emitFrame, frameLen } from './frame-codec.js'
import { lapFrame } from './test-arbitraries.js'

describe('lap/wire properties', () => {
  it('emit then parse is the identity for every frame kind', () => {
    fc.assert(fc.property(lapFrame, f => {
      const bytes = emitFrame(f)
      expect(bytes.length).to.equal(frameLen(f))
      const r = parseFrame(bytes)
      expect(r.ok, r.ok ? '' : r.error.message).to.equal(true)
      if (r.ok) expect(r.value).to.deep.equal(f)
    }), { numRuns: 3000 })
  })

  it('parse then emit gives the same bytes whenever parse succeeds on canonical frames', () => {
    fc.assert(fc.property(lapFrame, f => {
      const bytes = emitFrame(f)
      const r = parseFrame(bytes)
      if (r.ok) expect(emitFrame(r.value)).to.deep.equal(bytes)
    }), { numRuns: 1000 })
  })

  it('arbitrary bytes never throw: a frame or a WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), bytes => {
      const r = parseFrame(bytes)
      if (!r.ok) expect(r.error).to.be.instanceOf(WireError)
    }), { numRuns: 5000 })
  })

  it('mutated valid frames never throw (fuzzing near the grammar)', () => {
    fc.assert(fc.property(lapFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), (f, edits, cut) => {
      const bytes = emitFrame(f)
      for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value
      const r = parseFrame(bytes.subarray(0, bytes.length - (cut % (bytes.length + 1))))
      if (!r.ok) expect(r.error).to.be.instanceOf(WireError)
    }), { numRuns: 3000 })
  })
})
