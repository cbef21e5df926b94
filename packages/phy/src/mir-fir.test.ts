import { expect } from 'chai'
import fc from 'fast-check'
import { mirWrap, MirUnwrapper, firWrap, FirUnwrapper, fcs16, fcs32, FIR_OVERHEAD_WIRE_BYTES, type FrameUnwrapper } from './index.js'
import { hex, pushChunked, describe as show, flipBit } from './test-util.js'

const fromBits = (bits: number[]): Uint8Array => {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((b, i) => { out[i >> 3] |= b << (i & 7) })
  return out
}
const bitsOf = (bytes: Uint8Array): number[] => [...bytes].flatMap(b => [0, 1, 2, 3, 4, 5, 6, 7].map(k => (b >> k) & 1))

describe('phy/mir', () => {
  it('sends two start flags, the stuffed frame and FCS LSB first, a stop flag and idle ones', () => {
    const frame = hex('ff 3f') // 0xFF has eight 1 bits: a 0 is stuffed after the fifth
    const fcs = fcs16(frame)
    const bits = bitsOf(mirWrap(frame))
    const flag = [0, 1, 1, 1, 1, 1, 1, 0]
    expect(bits.slice(0, 16)).to.deep.equal([...flag, ...flag])
    const data = bitsOf(Uint8Array.of(0xFF, 0x3F, fcs & 0xFF, fcs >>> 8))
    const stuffed: number[] = []
    let ones = 0
    for (const b of data) { stuffed.push(b); ones = b === 1 ? ones + 1 : 0; if (ones === 5) { stuffed.push(0); ones = 0 } }
    expect(bits.slice(16, 16 + stuffed.length)).to.deep.equal(stuffed)
    const tail = bits.slice(16 + stuffed.length)
    expect(tail.slice(0, 8)).to.deep.equal(flag)
    expect(tail.slice(8).every(b => b === 1)).to.equal(true)
    expect(tail.length - 8).to.be.at.least(7)
    expect(bits.length % 8).to.equal(0)
  })

  it('reports an HDLC abort (seven ones) inside a frame, and a frame that is not whole bytes', () => {
    const good = mirWrap(hex('86 11 00 00'))
    // Start flag, a few data bits, then the line idles (all ones): abort.
    const aborted = Uint8Array.of(0x7E, 0x7E, 0x86, 0xFF, 0xFF)
    const rx = new MirUnwrapper()
    expect(show(rx.push(aborted))).to.deep.equal(['error:abort'])
    expect(show(rx.push(good))).to.deep.equal(['86110000'])
    // Flag, 36 data bits (not whole bytes), flag, idle.
    const flag = [0, 1, 1, 1, 1, 1, 1, 0]
    const odd = fromBits([...flag, ...flag, ...new Array(36).fill(0), ...flag, ...new Array(12).fill(1)])
    expect(show(new MirUnwrapper().push(odd))).to.deep.equal(['error:abort'])
  })

  it('property: wrap then unwrap is the identity for any frames and chunking', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ minLength: 2, maxLength: 200 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (frames, cuts) => {
        const wire = Buffer.concat(frames.map(f => mirWrap(f)))
        expect(show(pushChunked(new MirUnwrapper(), wire, cuts))).to.deep.equal(frames.map(f => Buffer.from(f).toString('hex')))
      }))
  })

  it('reports runts and overruns', () => {
    expect(show(new MirUnwrapper().push(Uint8Array.of(0x7E, 0x7E, 0x12, 0x7E, 0xFF)))).to.deep.equal(['error:runt'])
    expect(show(new MirUnwrapper({ maxFrame: 6 }).push(mirWrap(new Uint8Array(5).fill(0x55))))).to.deep.equal(['error:overrun'])
    expect(show(new MirUnwrapper({ maxFrame: 6 }).push(mirWrap(new Uint8Array(4).fill(0x55))))).to.deep.equal(['55555555'])
  })

  singleBitProperty('mir', mirWrap, () => new MirUnwrapper())
  neverThrows('mir', () => new MirUnwrapper())
})

describe('phy/fir', () => {
  it('sends preamble, start flag, 4PPM data with FCS-32 and stop flag', () => {
    const frame = hex('86 11')
    const wire = firWrap(frame)
    expect(wire.length).to.equal(FIR_OVERHEAD_WIRE_BYTES + 2 * (2 + 4))
    expect([...wire.subarray(0, 4)]).to.deep.equal([0x80, 0xA8, 0x80, 0xA8])
    expect([...wire.subarray(32, 36)]).to.deep.equal([0x0C, 0x0C, 0x60, 0x60])
    // 0x86 = bit pairs (LSB first) 10, 01, 00, 10 -> chips 0010 0100 | 1000 0010
    expect([...wire.subarray(36, 38)]).to.deep.equal([0x24, 0x82])
    expect([...wire.subarray(wire.length - 4)]).to.deep.equal([0x0C, 0x0C, 0x06, 0x06])
    const f = fcs32(frame)
    const fcsWire = firWrap(frame).subarray(40, 48)
    const decodePair = (w: number): number => [0x8, 0x4, 0x2, 0x1].indexOf(w >> 4) | ([0x8, 0x4, 0x2, 0x1].indexOf(w & 0xF) << 2)
    const fcsBytes = [0, 2, 4, 6].map(k => decodePair(fcsWire[k]) | (decodePair(fcsWire[k + 1]) << 4))
    expect(fcsBytes).to.deep.equal([f & 0xFF, (f >>> 8) & 0xFF, (f >>> 16) & 0xFF, f >>> 24]) // LSB first
    expect(show(new FirUnwrapper().push(wire))).to.deep.equal(['8611'])
  })

  it('aborts on an illegal symbol and on a start flag inside a frame, then resynchronises', () => {
    const good = firWrap(hex('86 11'))
    const broken = good.slice(0, 40)
    broken[38] = 0x33 // two chips lit
    const rx = new FirUnwrapper()
    expect(show(rx.push(Buffer.concat([broken, good])))).to.deep.equal(['error:abort', '8611'])
    const cut = good.slice(0, 40) // start of a frame, then a new packet begins
    expect(show(rx.push(Buffer.concat([cut, good])))).to.deep.equal(['error:abort', '8611'])
  })

  it('reports runts and overruns', () => {
    expect(show(new FirUnwrapper().push(Uint8Array.of(0x0C, 0x0C, 0x60, 0x60, 0x88, 0x88, 0x0C, 0x0C, 0x06, 0x06)))).to.deep.equal(['error:runt'])
    expect(show(new FirUnwrapper({ maxFrame: 8 }).push(firWrap(new Uint8Array(5))))).to.deep.equal(['error:overrun'])
  })

  it('property: wrap then unwrap is the identity for any frames and chunking', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ minLength: 2, maxLength: 200 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (frames, cuts) => {
        const wire = Buffer.concat(frames.map(f => firWrap(f)))
        const rx = new FirUnwrapper()
        expect(show(pushChunked(rx, wire, cuts))).to.deep.equal(frames.map(f => Buffer.from(f).toString('hex')))
        expect(rx.noiseBytes).to.equal(0)
      }))
  })

  it('wrapped and received frames are never changed by the frames after them (pooled arrays do not overlap)', () => {
    const rx = new FirUnwrapper()
    const kept: Array<{ wire: Uint8Array, frame: Uint8Array, copy: string, wireCopy: string }> = []
    for (let n = 0; n < 40; n++) {
      const frame = new Uint8Array(2 + (n * 97) % 2049).fill(n)
      const wire = firWrap(frame)
      const got = rx.push(wire)
      expect(got).to.have.length(1)
      const ev = got[0]
      if (ev.type !== 'frame') throw new Error('expected a frame')
      kept.push({ wire, frame: ev.frame, copy: Buffer.from(frame).toString('hex'), wireCopy: Buffer.from(wire).toString('hex') })
    }
    for (const k of kept) {
      expect(Buffer.from(k.frame).toString('hex')).to.equal(k.copy)
      expect(Buffer.from(k.wire).toString('hex')).to.equal(k.wireCopy)
    }
  })

  it('is idle between packets only: not inside a frame, not after a partial start flag', () => {
    const rx = new FirUnwrapper()
    const wire = firWrap(hex('86 11 22'))
    expect(rx.idle).to.equal(true)
    rx.push(wire.subarray(0, 34)) // preamble and half the start flag
    expect(rx.idle).to.equal(false)
    rx.push(wire.subarray(34, 50)) // into the frame
    expect(rx.idle).to.equal(false)
    rx.push(wire.subarray(50))
    expect(rx.idle).to.equal(true)
  })

  singleBitProperty('fir', firWrap, () => new FirUnwrapper())
  neverThrows('fir', () => new FirUnwrapper({ maxFrame: 64 }))
})

function singleBitProperty (name: string, wrap: (f: Uint8Array) => Uint8Array, make: () => FrameUnwrapper): void {
  it(`property: a single flipped ${name} wire bit is never delivered as a good frame`, () => {
    // Flips in the preamble, the first start flag or the idle fill may leave the frame intact;
    // a flip between the last start flag and the end of the stop flag must lose or report it.
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 64 }), fc.nat(), (frame, pick) => {
      const wire = wrap(frame)
      const bit = pick % (wire.length * 8)
      const evs = make().push(flipBit(wire, bit))
      for (const e of evs) {
        if (e.type === 'frame') expect(Buffer.from(e.frame).toString('hex'), `bit ${bit}`).to.equal(Buffer.from(frame).toString('hex'))
      }
      const good = evs.filter(e => e.type === 'frame').length
      const [from, to] = protectedBits(wrap, frame)
      if (bit >= from && bit < to) expect(good, `bit ${bit} in the frame`).to.equal(0)
    }), { seed: 4242, numRuns: 2000 })
  })
}

/** Wire bits from the first bit after the start flag(s) to the end of the stop flag. */
function protectedBits (wrap: (f: Uint8Array) => Uint8Array, frame: Uint8Array): [number, number] {
  const wire = wrap(frame)
  if (wrap === mirWrap) {
    const bits = bitsOf(wire)
    let end = bits.length
    while (bits[end - 1] === 1) end-- // idle fill; the stop flag ends with a 0
    return [16, end]
  }
  return [(FIR_OVERHEAD_WIRE_BYTES - 4) * 8, wire.length * 8]
}

function neverThrows (name: string, make: () => FrameUnwrapper): void {
  it(`property: the ${name} receiver never throws on arbitrary bytes`, () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), chunks => {
      const rx = make()
      for (const c of chunks) for (const e of rx.push(c)) expect(e.type).to.be.oneOf(['frame', 'error'])
    }))
  })
}
