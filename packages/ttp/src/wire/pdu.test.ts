import { expect } from 'chai'
import fc from 'fast-check'
import { TtpConnectPdu, TtpDataPdu, TtpHeaderView, type TtpConnectPduRepr } from './pdu.js'
import { hex, linuxEchoText, linuxSession } from './test-fixtures.js'

const text = (b: Uint8Array): string => new TextDecoder().decode(b)
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('ttp/wire/pdu: fixtures from the Linux 4.9 session', () => {
  it('decodes the connect PDU inside LM-Connect (credit 16, no parameters)', () => {
    const r = TtpConnectPdu.parse(linuxSession.connectRequest.ttp)
    expect(r.ok).to.equal(true)
    if (!r.ok) return
    expect(r.value.credit).to.equal(16)
    expect(r.value.maxSduSize).to.equal(undefined)
    expect(r.value.userData.length).to.equal(0)
    expect(toHex(TtpConnectPdu.emit(r.value))).to.equal('10')
  })

  it('decodes the data PDUs with M clear and credit 0 and 1', () => {
    const out = TtpDataPdu.parse(linuxSession.dataToEcho.ttp)
    const back = TtpDataPdu.parse(linuxSession.echoReply.ttp)
    expect(out.ok && back.ok).to.equal(true)
    if (!out.ok || !back.ok) return
    expect(out.value).to.include({ more: false, credit: 0 })
    expect(text(out.value.data)).to.equal(linuxEchoText)
    expect(back.value).to.include({ more: false, credit: 1 })
    expect(text(back.value.data)).to.equal(linuxEchoText)
    expect(toHex(TtpDataPdu.emit(back.value))).to.equal(toHex(linuxSession.echoReply.ttp))
  })

  it('decodes the SAR connect layout Linux irttp_connect_request builds (P, PLen 4, PI 1, PL 2, BE16)', () => {
    const r = TtpConnectPdu.parse(hex('8e 04 01 02 08 00 ca fe'))
    expect(r.ok).to.equal(true)
    if (!r.ok) return
    expect(r.value).to.deep.include({ credit: 14, maxSduSize: 0x0800 })
    expect(toHex(r.value.userData)).to.equal('cafe')
    expect(toHex(TtpConnectPdu.emit(r.value))).to.equal('8e0401020800cafe')
  })

  it('emits MaxSduSize with PL 1, 2 or 4, and decodes PL 3', () => {
    const cases: Array<[number, string]> = [[200, '81 03 01 01 c8'], [0x1234, '81 04 01 02 12 34'], [0x12345, '81 06 01 04 00 01 23 45']]
    for (const [size, wire] of cases) {
      expect(toHex(TtpConnectPdu.emit({ credit: 1, maxSduSize: size, userData: new Uint8Array(0) }))).to.equal(wire.replace(/ /g, ''))
    }
    const pl3 = TtpConnectPdu.parse(hex('81 05 01 03 01 00 00'))
    expect(pl3.ok && pl3.value.maxSduSize).to.equal(0x10000)
  })

  it('keeps unknown parameters and reports them', () => {
    const r = TtpConnectPdu.parse(hex('85 07 42 02 aa bb 01 01 40 ff'))
    expect(r.ok).to.equal(true)
    if (!r.ok) return
    expect(r.value.maxSduSize).to.equal(64)
    expect(r.value.unknownParams?.map(p => [p.pi, toHex(p.pv)])).to.deep.equal([[0x42, 'aabb']])
    expect(toHex(r.value.userData)).to.equal('ff')
  })

  it('a one-byte data PDU is a dataless flow PDU', () => {
    const r = TtpDataPdu.parse(hex('05'))
    expect(r.ok && r.value.data.length === 0 && r.value.credit === 5).to.equal(true)
  })
})

describe('ttp/wire/pdu: malformed input is a WireError, never an exception', () => {
  const bad: Array<[string, string]> = [
    ['empty connect PDU', ''],
    ['P set, no PLen byte', '80'],
    ['PLen longer than the PDU', '80 05 01 01'],
    ['parameter without PL', '80 01 01'],
    ['PL past the list', '80 03 01 04 00'],
    ['MaxSduSize PL 0', '80 02 01 00'],
    ['MaxSduSize PL 5', '80 07 01 05 00 00 00 00 01'],
    ['MaxSduSize twice', '80 06 01 01 10 01 01 20'],
  ]
  for (const [name, bytes] of bad) {
    it(`connect: ${name}`, () => {
      const r = TtpConnectPdu.parse(hex(bytes))
      expect(r.ok).to.equal(false)
      if (!r.ok) expect(r.error.name).to.equal('WireError')
    })
  }

  it('data: empty PDU', () => {
    expect(TtpDataPdu.parse(new Uint8Array(0)).ok).to.equal(false)
    expect(TtpHeaderView.checked(new Uint8Array(0)).ok).to.equal(false)
  })

  it('fuzz: parse never throws on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), bytes => {
      TtpConnectPdu.parse(bytes)
      TtpDataPdu.parse(bytes)
    }), { numRuns: 2000 })
  })

  it('fuzz: what parses re-emits to a PDU that parses to the same value', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), bytes => {
      const r = TtpConnectPdu.parse(bytes)
      if (!r.ok) return
      const again = TtpConnectPdu.parse(TtpConnectPdu.emit(r.value))
      expect(again.ok).to.equal(true)
      if (again.ok) expect(normal(again.value)).to.deep.equal(normal(r.value))
    }), { numRuns: 2000 })
  })
})

describe('ttp/wire/pdu: round trips', () => {
  const bytes = fc.uint8Array({ maxLength: 64 })
  const credit = fc.integer({ min: 0, max: 127 })

  it('data PDU: parse(emit(r)) = r, and its length is bufferLen', () => {
    fc.assert(fc.property(fc.boolean(), credit, bytes, (more, c, data) => {
      const wire = TtpDataPdu.emit({ more, credit: c, data })
      expect(wire.length).to.equal(TtpDataPdu.bufferLen({ more, credit: c, data }))
      const r = TtpDataPdu.parse(wire)
      expect(r.ok).to.equal(true)
      if (r.ok) expect({ ...r.value, data: toHex(r.value.data) }).to.deep.equal({ more, credit: c, data: toHex(data) })
    }))
  })

  it('connect PDU: parse(emit(r)) = r for MaxSduSize 0..2^32-1 and unknown parameters', () => {
    const unknown = fc.array(fc.record({ pi: fc.integer({ min: 2, max: 255 }), pv: fc.uint8Array({ maxLength: 6 }) }), { maxLength: 3 })
    const repr = fc.record({ credit, maxSduSize: fc.option(fc.integer({ min: 0, max: 0xFFFF_FFFF }), { nil: undefined }), unknownParams: unknown, userData: bytes })
    fc.assert(fc.property(repr, r0 => {
      const r: TtpConnectPduRepr = { credit: r0.credit, userData: r0.userData }
      if (r0.maxSduSize !== undefined) r.maxSduSize = r0.maxSduSize
      if (r0.unknownParams.length > 0) r.unknownParams = r0.unknownParams
      const wire = TtpConnectPdu.emit(r)
      expect(wire.length).to.equal(TtpConnectPdu.bufferLen(r))
      const back = TtpConnectPdu.parse(wire)
      expect(back.ok).to.equal(true)
      if (back.ok) expect(normal(back.value)).to.deep.equal(normal(r))
    }))
  })
})

function normal (r: TtpConnectPduRepr): unknown {
  return {
    credit: r.credit,
    maxSduSize: r.maxSduSize,
    unknown: (r.unknownParams ?? []).map(p => [p.pi, toHex(p.pv)]),
    userData: toHex(r.userData),
  }
}
