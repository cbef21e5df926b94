import { expect } from 'chai'
import { SeededRandom } from '@irdakit/core'
import { FrameSizer } from './frame-size.js'

/** Feeds `n` frames of `wire` bytes, each lost with the chance a byte error rate `q` gives it. */
function feed (s: FrameSizer, n: number, wire: number, q: number, random: SeededRandom): void {
  const pLoss = 1 - Math.pow(1 - q, wire)
  for (let i = 0; i < n; i++) s.observe(wire, random.next() < pLoss)
}

describe('lap/FrameSizer (adaptive I frame size)', () => {
  it('a new link advises the negotiated size: a clean link fills its frames from the first', () => {
    const s = new FrameSizer()
    expect(s.dataSize(2042, 40)).to.equal(2042)
    expect(s.pollApart(2048, 5760, 6)).to.equal(false)
  })

  it('one early loss does not halve the frames; a few do', () => {
    const s = new FrameSizer()
    s.observe(2048, true)
    const afterOne = s.dataSize(2042, 124)
    expect(afterOne).to.be.above(900)
    for (let i = 0; i < 4; i++) { s.observe(2048, false); s.observe(2048, true) }
    expect(s.dataSize(2042, 124)).to.be.below(afterOne)
    expect(s.dataSize(2042, 124)).to.be.below(800)
  })

  it('estimates the byte error rate from the frames lost, and advises the size that carries most', () => {
    const s = new FrameSizer()
    feed(s, 2000, 406, 8e-4, new SeededRandom(1)) // BER 1e-4: 8 bits a byte
    expect(s.byteErrorRate).to.be.within(5e-4, 1.2e-3)
    // L^2 + hL = h/q with h = 40: about 200 bytes at q = 8e-4.
    expect(s.dataSize(2042, 40)).to.be.within(170, 240)
    expect(s.pollApart(2048, 5760, 6)).to.equal(true)
  })

  it('grows back to the negotiated size once the losses stop', () => {
    const s = new FrameSizer()
    feed(s, 10, 2048, 0, new SeededRandom(2))
    feed(s, 500, 300, 8e-4, new SeededRandom(3))
    const small = s.dataSize(2042, 40)
    expect(small).to.be.below(400)
    const sizes: number[] = []
    for (let i = 0; i < 400 && s.dataSize(2042, 40) < 2042; i++) {
      const size = s.dataSize(2042, 40)
      sizes.push(size)
      s.observe(size + 6, false)
    }
    expect(s.dataSize(2042, 40)).to.equal(2042)
    expect(sizes.length).to.be.below(200)
    expect(sizes.every((x, i) => i === 0 || x >= sizes[i - 1])).to.equal(true)
    // The separate poll outlives the losses a little longer, then goes too.
    expect(s.pollApart(2048, 5760, 6)).to.equal(true)
    feed(s, 100, 2048, 0, new SeededRandom(5))
    expect(s.pollApart(2048, 5760, 6)).to.equal(false)
  })

  it('on a clean link the P/F bit stays on the last I frame', () => {
    const s = new FrameSizer()
    feed(s, 100, 2048, 0, new SeededRandom(4))
    expect(s.byteErrorRate).to.equal(0)
    expect(s.pollApart(2048, 5760, 6)).to.equal(false)
  })

  it('never advises less than 64 bytes, nor more than the negotiated size', () => {
    const s = new FrameSizer()
    for (let i = 0; i < 200; i++) s.observe(70, true)
    expect(s.dataSize(2042, 40)).to.equal(64)
    expect(s.dataSize(48, 40)).to.equal(48)
    expect(Number.isFinite(s.byteErrorRate)).to.equal(true)
  })
})
