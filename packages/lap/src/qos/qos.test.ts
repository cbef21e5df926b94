import { expect } from 'chai'
import fc from 'fast-check'
import { WireError } from '@irdakit/core'
import { encodeQos, parseQos, normalizeQos, QOS_FALLBACK_BITS, type ParsedQos } from './codec.js'
import { defaultQos } from './defaults.js'
import { negotiate, responseQos, scaleAdditionalBofs, type LinkParams } from './negotiate.js'
import { lineCapacity, requestedLineCapacity, fitLineCapacity } from './capacity.js'
import { fromHex, toHex } from '../wire/bytes.js'
import { qosFields } from '../wire/test-arbitraries.js'
import type { QosFields } from '../frame.js'

/** What Linux 4.9 offered in the session's SNRM and UA. */
const LINUX_QOS_HEX = '01013e82010183013f84017f8501ff860103080107'
const LINUX: QosFields = { baudRate: 0x3e, maxTurnaround: 0x01, dataSize: 0x3f, windowSize: 0x7f, additionalBofs: 0xff, minTurnaround: 0x03, linkDisconnect: 0x07 }

function parsed (hex: string): ParsedQos {
  const r = parseQos(fromHex(hex))
  if (!r.ok) throw r.error
  return r.value
}

function link (local: QosFields, remote: QosFields): LinkParams {
  const r = negotiate(local, remote)
  if (!r.ok) throw r.error
  return r.value
}

const ours = (over: Partial<QosFields> = {}): QosFields => ({ ...defaultQos({ speeds: [9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000] }), ...over })

describe('lap/qos codec', () => {
  it('decodes and re-encodes the Linux offer byte for byte', () => {
    const p = parsed(LINUX_QOS_HEX)
    expect(p).to.deep.equal({ qos: LINUX, unknown: [], quirks: [] })
    expect(toHex(encodeQos(LINUX))).to.equal(LINUX_QOS_HEX)
  })
  it('defaultQos with Linux capabilities offers what Linux offers', () => {
    expect(toHex(encodeQos(defaultQos({ speeds: [9600, 19200, 38400, 57600, 115200], minTurnaroundMs: 5 })))).to.equal(LINUX_QOS_HEX)
  })
  it('encodes a baud rate above 1.152 Mb/s in a 2-byte little-endian PV', () => {
    expect(toHex(encodeQos({ ...LINUX, baudRate: 0x13e }))).to.match(/^01023e01/)
    expect(parsed('01023e01').qos.baudRate).to.equal(0x13e)
  })
  it('takes the low byte of a 2-byte PV where 1 byte is expected', () => {
    const p = parsed('830201008401ff')
    expect(p.qos.dataSize).to.equal(0x01)
    expect(p.qos.windowSize).to.equal(0x7f) // bit 7 is not a window size
    expect(p.quirks).to.deep.include({ pi: 0x83, kind: 'wide-pv' })
    expect(p.quirks).to.deep.include({ pi: 0x84, kind: 'extra-bits' })
  })
  it('replaces null PVs and missing parameters by the conservative default, and says so', () => {
    const p = parsed('010100830100')
    expect(p.qos).to.deep.equal(QOS_FALLBACK_BITS)
    expect(p.quirks).to.deep.include({ pi: 0x01, kind: 'null-pv' })
    expect(p.quirks).to.deep.include({ pi: 0x83, kind: 'null-pv' })
    expect(p.quirks).to.deep.include({ pi: 0x86, kind: 'missing' })
  })
  it('ignores and reports unknown PIs, keeps the first of duplicates, accepts empty PVs', () => {
    const p = parsed('7f020102' + '830120' + '830101' + '0a00')
    expect(p.unknown.map(u => [u.pi, toHex(u.pv)])).to.deep.equal([[0x7f, '0102'], [0x0a, '']])
    expect(p.qos.dataSize).to.equal(0x20)
    expect(p.quirks).to.deep.include({ pi: 0x83, kind: 'duplicate' })
  })
  it('fails only when a PL runs past the end', () => {
    expect(parseQos(fromHex('830201')).ok).to.equal(false)
    expect(parseQos(fromHex('83')).ok).to.equal(false)
  })
  it('encode then parse is the identity (property)', () => {
    fc.assert(fc.property(qosFields, q => {
      expect(parsed(toHex(encodeQos(q)))).to.deep.equal({ qos: q, unknown: [], quirks: [] })
    }), { numRuns: 1000 })
  })
  it('never throws and always yields usable fields on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), b => {
      const r = parseQos(b)
      if (!r.ok) { expect(r.error).to.be.instanceOf(WireError); return }
      expect(normalizeQos(r.value.qos)).to.deep.equal(r.value.qos)
      const n = negotiate(defaultQos({ speeds: [2400, 9600, 115200, 4000000] }), r.value.qos)
      expect(n.ok).to.equal((r.value.qos.baudRate & 0x123) !== 0) // fails only without a common rate
    }), { numRuns: 3000 })
  })
})

describe('lap/qos line capacity', () => {
  it('has the spec table values', () => {
    expect(lineCapacity(115200, 500)).to.equal(4800)
    expect(lineCapacity(115200, 50)).to.equal(480)
    expect(lineCapacity(9600, 500)).to.equal(400)
    expect(lineCapacity(57600, 500)).to.equal(2360)
    expect(lineCapacity(4000000, 100)).to.equal(40000)
    expect(lineCapacity(576000, 250)).to.equal(11520)
  })
  it('uses the 500 ms row below 115200 bit/s, and refuses values outside the tables', () => {
    expect(lineCapacity(9600, 50)).to.equal(400)
    expect(() => lineCapacity(12345, 500)).to.throw(RangeError)
    expect(() => lineCapacity(115200, 77)).to.throw(RangeError)
  })
  it('reduces the window first, then the data size, and the result always fits (property)', () => {
    const speed = fc.constantFrom(2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000)
    fc.assert(fc.property(speed, fc.constantFrom(500, 250, 100, 50), fc.integer({ min: 1, max: 7 }), fc.constantFrom(64, 128, 256, 512, 1024, 2042, 2048),
      fc.constantFrom(0, 1, 2, 5, 12, 48), fc.constantFrom(0, 0.01, 0.5, 1, 5, 10), (bps, turn, windowSize, dataSize, additionalBofs, minTurnaroundMs) => {
        const cap = lineCapacity(bps, turn)
        const b = { baudRate: bps, windowSize, dataSize, additionalBofs, minTurnaroundMs }
        const f = fitLineCapacity(b, cap)
        expect(f.windowSize).to.be.within(1, windowSize)
        expect(f.dataSize).to.be.at.most(dataSize)
        if (f.dataSize < dataSize) expect(f.windowSize).to.equal(1)
        if (f.dataSize > 64 || f.windowSize > 1) expect(requestedLineCapacity(f)).to.be.at.most(cap)
        if (f.windowSize < windowSize && f.dataSize === dataSize) {
          expect(requestedLineCapacity({ ...f, windowSize: f.windowSize + 1 })).to.be.above(cap) // reduced no more than needed
        }
      }), { numRuns: 2000 })
  })
})

describe('lap/qos negotiate', () => {
  it('us against the Linux offer: 115200 bit/s, 12 s, window cut to 2 by the 4800-byte capacity', () => {
    const p = link(ours(), LINUX)
    expect(p).to.include({ baudRate: 115200, linkDisconnectMs: 12000, thresholdMs: 3000, maxTurnaroundMs: 500, lineCapacity: 4800 })
    expect(p).to.include({ txDataSize: 2042, txWindowSize: 2, txAdditionalBofs: 0, txMinTurnaroundMs: 5 })
    expect(p).to.include({ rxDataSize: 2048, rxWindowSize: 7, peerMaxTurnaroundMs: 500 })
  })
  it('type 0 parameters take the highest common value; no common baud rate fails', () => {
    expect(link(ours({ baudRate: 0x02 | 0x20 }), { ...LINUX, baudRate: 0x3e }).baudRate).to.equal(115200)
    expect(link(ours({ baudRate: 0x1e }), LINUX).baudRate).to.equal(57600)
    expect(link(ours({ linkDisconnect: 0xff }), { ...LINUX, linkDisconnect: 0x1f }).linkDisconnectMs).to.equal(20000)
    expect(negotiate(ours({ baudRate: 0x20 }), { ...LINUX, baudRate: 0x02 }).ok).to.equal(false)
  })
  it('a 3 s link disconnect time has no separate threshold', () => {
    expect(link(ours({ linkDisconnect: 0x01 }), LINUX)).to.include({ linkDisconnectMs: 3000, thresholdMs: 0 })
  })
  it('type 1 parameters: the peer governs what we send, we govern what the peer sends', () => {
    const peer = { ...LINUX, dataSize: 0x01, windowSize: 0x01, maxTurnaround: 0x0f, minTurnaround: 0x01, additionalBofs: 0x07 }
    const p = link(ours({ maxTurnaround: 0x03 }), peer)
    expect(p).to.include({ baudRate: 115200, txDataSize: 64, txWindowSize: 1, maxTurnaroundMs: 50, txMinTurnaroundMs: 10, txAdditionalBofs: 12 })
    expect(p).to.include({ rxDataSize: 2048, rxWindowSize: 7, peerMaxTurnaroundMs: 250 })
    const mirror = link(peer, ours({ maxTurnaround: 0x03 }))
    expect(mirror).to.include({ txDataSize: 2042, rxDataSize: 64, maxTurnaroundMs: 250, peerMaxTurnaroundMs: 50 })
  })
  it('line capacity at 9600 bit/s: window 1 and the data size stepped down to 256', () => {
    const p = link(ours({ baudRate: 0x02 }), LINUX)
    expect(p).to.include({ baudRate: 9600, lineCapacity: 400, txWindowSize: 1, txDataSize: 256 })
    expect(p.notes.join()).to.match(/line capacity 400/)
  })
  it('line capacity at 115200 bit/s for 500/250/100/50 ms', () => {
    const at = (bits: number): LinkParams => link(ours(), { ...LINUX, maxTurnaround: bits })
    expect(at(0x01)).to.include({ lineCapacity: 4800, txWindowSize: 2, txDataSize: 2042 })
    expect(at(0x03)).to.include({ lineCapacity: 2400, txWindowSize: 1, txDataSize: 2042 })
    expect(at(0x07)).to.include({ lineCapacity: 960, txWindowSize: 1, txDataSize: 512 })
    expect(at(0x0f)).to.include({ lineCapacity: 480, txWindowSize: 1, txDataSize: 256 })
  })
  it('line capacity at 1.152 and 4 Mb/s', () => {
    const fir = { ...LINUX, baudRate: 0x1ff }
    expect(link(ours(), fir)).to.include({ baudRate: 4000000, lineCapacity: 200000, txWindowSize: 7, txDataSize: 2042 })
    expect(link(ours(), { ...fir, maxTurnaround: 0x0f })).to.include({ lineCapacity: 20000, txWindowSize: 7 })
    expect(link(ours({ baudRate: 0xff }), { ...fir, maxTurnaround: 0x0f })).to.include({ baudRate: 1152000, lineCapacity: 5760, txWindowSize: 2 })
  })
  it('below 115200 bit/s a shorter max turnaround is raised to 500 ms', () => {
    const p = link(ours({ baudRate: 0x02, maxTurnaround: 0x0f }), { ...LINUX, maxTurnaround: 0x0f })
    expect(p).to.include({ maxTurnaroundMs: 500, peerMaxTurnaroundMs: 500 })
  })
  it('tolerates peer bugs: min turnaround 0, null PVs, 2048 against 2042', () => {
    expect(link(ours(), { ...LINUX, minTurnaround: 0x80 }).txMinTurnaroundMs).to.equal(0.01)
    const nul = link(ours(), { ...LINUX, baudRate: 0, dataSize: 0, windowSize: 0 })
    expect(nul).to.include({ baudRate: 9600, txDataSize: 64, txWindowSize: 1 })
    expect(link(ours(), LINUX).txDataSize).to.equal(2042)
    const r = negotiate(ours(), LINUX, { maxTxDataSize: 2048, minTxTurnaroundMs: 0 })
    expect(r.ok && r.value.txDataSize).to.equal(2048)
  })
  it('scales additional BOFs from 115200 to the negotiated speed', () => {
    expect(scaleAdditionalBofs(48, 9600)).to.equal(4)
    expect(scaleAdditionalBofs(12, 9600)).to.equal(1)
    expect(scaleAdditionalBofs(5, 9600)).to.equal(0)
    expect(scaleAdditionalBofs(48, 115200)).to.equal(48)
    expect(link(ours({ baudRate: 0x02 }), { ...LINUX, additionalBofs: 0x01 }).txAdditionalBofs).to.equal(4)
  })
  it('the UA answer carries the common type-0 bits and our own type-1 bits', () => {
    const ua = responseQos(LINUX, ours({ baudRate: 0x06, linkDisconnect: 0x03 }))
    expect(ua).to.deep.equal({ ...LINUX, baudRate: 0x06, linkDisconnect: 0x03 })
  })
  it('both ends agree on type 0 and mirror each other on type 1 (property)', () => {
    fc.assert(fc.property(qosFields, qosFields, (a, b) => {
      const ab = negotiate(a, b, { maxTxDataSize: 2048 })
      const ba = negotiate(b, a, { maxTxDataSize: 2048 })
      expect(ab.ok).to.equal(ba.ok)
      if (!ab.ok || !ba.ok) { expect(a.baudRate & b.baudRate).to.equal(0); return }
      expect(ab.value.baudRate).to.equal(ba.value.baudRate)
      expect(ab.value.linkDisconnectMs).to.equal(ba.value.linkDisconnectMs)
      expect(ab.value.maxTurnaroundMs).to.equal(ba.value.peerMaxTurnaroundMs)
      expect(ab.value.txDataSize).to.be.at.most(ba.value.rxDataSize)
      expect(ab.value.txWindowSize).to.be.at.most(ba.value.rxWindowSize)
    }), { numRuns: 2000 })
  })
})
