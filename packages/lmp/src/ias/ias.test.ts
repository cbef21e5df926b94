import { expect } from 'chai'
import fc from 'fast-check'
import {
  IasDatabase, IasError, IasReturn, IAP_OPCODE, encodeGetValueByClass, parseGetValueByClass,
  encodeGetValueByClassResponse, parseGetValueByClassResponse, parseIapControl, segmentIap, iapAck,
  userString, decodeText, Charset, type IasValue,
} from '@irdakit/lmp'

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), b => parseInt(b, 16))
const toHex = (b: Uint8Array): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join(' ')

describe('lmp/IAS codec', () => {
  it('decodes the Linux GetValueByClass request for Echo / IrDA:TinyTP:LsapSel and encodes it identically', () => {
    const frame = hex('84 04 45 63 68 6f 13 49 72 44 41 3a 54 69 6e 79 54 50 3a 4c 73 61 70 53 65 6c')
    expect(parseIapControl(frame[0])).to.deep.equal({ lst: true, ack: false, opcode: IAP_OPCODE.GET_VALUE_BY_CLASS })
    const req = parseGetValueByClass(frame.subarray(1))
    expect(req).to.deep.equal({ ok: true, value: { className: 'Echo', attributeName: 'IrDA:TinyTP:LsapSel' } })
    const body = encodeGetValueByClass({ className: 'Echo', attributeName: 'IrDA:TinyTP:LsapSel' })
    expect(body.ok && toHex(body.value)).to.equal(toHex(frame.subarray(1)))
  })

  it('decodes the Linux answer (object 0x8b7c, integer 16) and encodes it identically', () => {
    const frame = hex('84 00 00 01 8b 7c 01 00 00 00 10')
    const res = parseGetValueByClassResponse(frame.subarray(1))
    expect(res).to.deep.equal({ ok: true, value: { returnCode: 0, entries: [{ objectId: 0x8b7c, value: { type: 'integer', value: 16 } }] } })
    if (res.ok) expect(toHex(encodeGetValueByClassResponse(res.value))).to.equal(toHex(frame.subarray(1)))
  })

  it('refuses names longer than 60 bytes and empty names', () => {
    expect(encodeGetValueByClass({ className: 'x'.repeat(61), attributeName: 'a' }).ok).to.equal(false)
    expect(encodeGetValueByClass({ className: 'x', attributeName: '' }).ok).to.equal(false)
    expect(encodeGetValueByClass({ className: 'x'.repeat(60), attributeName: 'a'.repeat(60) }).ok).to.equal(true)
  })

  const value: fc.Arbitrary<IasValue> = fc.oneof(
    fc.constant({ type: 'missing' as const }),
    fc.record({ type: fc.constant('integer' as const), value: fc.integer({ min: -0x80000000, max: 0x7FFFFFFF }) }),
    fc.record({ type: fc.constant('octets' as const), value: fc.uint8Array({ maxLength: 1024 }) }),
    fc.record({ type: fc.constant('string' as const), charset: fc.constantFrom(0, 1, 9, 0xFF), value: fc.uint8Array({ maxLength: 255 }) }),
  )

  it('round-trips responses with any values and segments/reassembles them at any frame size (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ objectId: fc.integer({ min: 0, max: 0xFFFF }), value }), { maxLength: 6 }),
      fc.integer({ min: 2, max: 300 }),
      (entries, maxFrame) => {
        const body = encodeGetValueByClassResponse({ returnCode: IasReturn.SUCCESS, entries })
        const frames = segmentIap(IAP_OPCODE.GET_VALUE_BY_CLASS, body, maxFrame)
        frames.forEach((f, i) => {
          expect(f.length).to.be.at.most(maxFrame)
          expect(parseIapControl(f[0]).lst).to.equal(i === frames.length - 1)
        })
        const joined = Uint8Array.from(frames.flatMap(f => [...f.subarray(1)]))
        expect(parseGetValueByClassResponse(joined)).to.deep.equal({ ok: true, value: { returnCode: 0, entries } })
      }))
  })

  it('acks carry the opcode and no data', () => {
    expect(toHex(iapAck(IAP_OPCODE.GET_VALUE_BY_CLASS))).to.equal('44')
  })

  it('never throws on arbitrary response bodies (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), b => { parseGetValueByClassResponse(b); parseGetValueByClass(b) }), { numRuns: 2000 })
  })
})

describe('lmp/IAS database', () => {
  it('holds the mandatory Device object with DeviceName and IrLMPSupport', () => {
    const db = new IasDatabase('guestA')
    const name = db.getValueByClass('Device', 'DeviceName')
    expect(name.returnCode).to.equal(IasReturn.SUCCESS)
    const v = name.entries[0].value
    expect(v.type === 'string' && decodeText(v.value, v.charset)).to.equal('guestA')
    expect(db.getValueByClass('Device', 'IrLMPSupport').entries[0].value).to.deep.equal({ type: 'octets', value: Uint8Array.of(1, 0, 0) })
  })

  it('answers every GetValueByClass return code', () => {
    const db = new IasDatabase()
    db.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x10 })
    expect(db.getValueByClass('Nope', 'IrDA:TinyTP:LsapSel').returnCode).to.equal(IasReturn.NO_SUCH_CLASS)
    expect(db.getValueByClass('Echo', 'Nope').returnCode).to.equal(IasReturn.NO_SUCH_ATTRIBUTE)
    expect(db.getValueByClass('Echo', 'IrDA:TinyTP:LsapSel').entries.map(e => e.value)).to.deep.equal([{ type: 'integer', value: 0x10 }])
  })

  it('returns every object of a class that has the attribute', () => {
    const db = new IasDatabase()
    const a = db.addObject('OBEX'); db.setAttribute(a, 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 3 })
    const b = db.addObject('OBEX'); db.setAttribute(b, 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 4 })
    db.addObject('OBEX')
    expect(db.getValueByClass('OBEX', 'IrDA:TinyTP:LsapSel').entries.map(e => e.objectId)).to.deep.equal([a, b])
  })

  it('throws IasError for values and names past the IrLMP limits', () => {
    const db = new IasDatabase()
    expect(() => db.set('x'.repeat(61), 'a', { type: 'integer', value: 1 })).to.throw(IasError)
    expect(() => db.set('C', 'a'.repeat(61), { type: 'integer', value: 1 })).to.throw(IasError)
    expect(() => db.set('C', 'a', { type: 'octets', value: new Uint8Array(1025) })).to.throw(IasError, /1024/)
    expect(() => db.set('C', 'a', userString('x'.repeat(256)))).to.throw(IasError, /255/)
    expect(() => db.set('C', 'a', userString('x'.repeat(255)))).to.not.throw()
    expect(() => db.set('C', 'u', userString('Ω', Charset.UNICODE))).to.not.throw()
  })
})
