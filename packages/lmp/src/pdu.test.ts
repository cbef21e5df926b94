import { expect } from 'chai'
import fc from 'fast-check'
import { emitLmpPdu, parseLmpPdu, type LmpPdu } from '@irdakit/lmp'

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), b => parseInt(b, 16))
const toHex = (b: Uint8Array): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join(' ')

function parsed (s: string): LmpPdu {
  const r = parseLmpPdu(hex(s))
  if (!r.ok) throw r.error
  return r.value
}

describe('lmp/LM-MUX PDUs', () => {
  // I-frame payloads of the Linux 4.9 session (shared/reference/linux-4.9-session.md).
  const linux: Array<[string, LmpPdu]> = [
    ['80 11 01 00', { kind: 'connect', dlsap: 0x00, slsap: 0x11, userData: new Uint8Array(0) }],
    ['91 00 81 00', { kind: 'connect-confirm', dlsap: 0x11, slsap: 0x00, userData: new Uint8Array(0) }],
    ['80 11 02 01', { kind: 'disconnect', dlsap: 0x00, slsap: 0x11, reason: 0x01, userData: new Uint8Array(0) }],
    ['90 12 01 00 10', { kind: 'connect', dlsap: 0x10, slsap: 0x12, userData: hex('10') }],
    ['92 10 81 00 10', { kind: 'connect-confirm', dlsap: 0x12, slsap: 0x10, userData: hex('10') }],
    ['10 12 00 70 72 69', { kind: 'data', dlsap: 0x10, slsap: 0x12, data: hex('00 70 72 69') }],
  ]
  for (const [bytes, pdu] of linux) {
    it(`decodes and re-encodes the Linux PDU ${bytes}`, () => {
      expect(parsed(bytes)).to.deep.equal(pdu)
      expect(toHex(emitLmpPdu(pdu))).to.equal(bytes)
    })
  }

  it('accepts a connect PDU without the reserved byte', () => {
    expect(parsed('80 11 01')).to.deep.include({ kind: 'connect', dlsap: 0, slsap: 0x11 })
  })

  it('encodes access mode request and confirm as Wireshark reads them', () => {
    expect(toHex(emitLmpPdu({ kind: 'access-mode', dlsap: 0x10, slsap: 0x12, mode: 'exclusive' }))).to.equal('90 12 03 00 01')
    expect(toHex(emitLmpPdu({ kind: 'access-mode-confirm', dlsap: 0x12, slsap: 0x10, status: 'success', mode: 'exclusive' }))).to.equal('92 10 83 00 01')
    expect(parsed('92 10 83 ff 00')).to.deep.equal({ kind: 'access-mode-confirm', dlsap: 0x12, slsap: 0x10, status: 'unsupported', mode: 'multiplexed' })
  })

  it('returns typed errors for short or unknown PDUs', () => {
    for (const bad of ['', '80', '80 11', '80 11 02', '80 11 07', '80 11 03 00 05', '80 11 83 07 00']) {
      const r = parseLmpPdu(bad === '' ? new Uint8Array(0) : hex(bad))
      expect(r.ok, bad).to.equal(false)
    }
  })

  const sel = fc.integer({ min: 0, max: 0x7F })
  const bytes = fc.uint8Array({ maxLength: 64 })
  const pduArb: fc.Arbitrary<LmpPdu> = fc.oneof(
    fc.record({ kind: fc.constant('data' as const), dlsap: sel, slsap: sel, data: bytes }),
    fc.record({ kind: fc.constant('connect' as const), dlsap: sel, slsap: sel, userData: bytes }),
    fc.record({ kind: fc.constant('connect-confirm' as const), dlsap: sel, slsap: sel, userData: bytes }),
    fc.record({ kind: fc.constant('disconnect' as const), dlsap: sel, slsap: sel, reason: fc.integer({ min: 0, max: 255 }), userData: bytes }),
    fc.record({ kind: fc.constant('access-mode' as const), dlsap: sel, slsap: sel, mode: fc.constantFrom('multiplexed' as const, 'exclusive' as const) }),
    fc.record({ kind: fc.constant('access-mode-confirm' as const), dlsap: sel, slsap: sel, status: fc.constantFrom('success' as const, 'failure' as const, 'unsupported' as const), mode: fc.constantFrom('multiplexed' as const, 'exclusive' as const) }),
  )

  it('round-trips every PDU kind (property)', () => {
    fc.assert(fc.property(pduArb, pdu => {
      const r = parseLmpPdu(emitLmpPdu(pdu))
      expect(r.ok).to.equal(true)
      if (r.ok) expect(r.value).to.deep.equal(pdu)
    }))
  })

  it('never throws on arbitrary bytes (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), b => { parseLmpPdu(b) }), { numRuns: 2000 })
  })
})
