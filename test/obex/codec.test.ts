/*!
 * OBEX packet and header codecs: byte-exact fixtures (hand-assembled from IrOBEX 1.2's layouts,
 * cross-checked with OpenOBEX's obex_const.h and Wireshark's packet-obex.c field layout), fast-check
 * round trips, and hostile packets refused with a typed reason.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import {
  decodeHeaders, decodeRequest, decodeResponse, encodeHeaders, encodeRequest, encodeResponse, FOLDER_BROWSING_UUID, header,
  HeaderId, Opcode, PacketReader, ResponseCode, typeHeader, typeOf, type ObexHeader, responseError, NotFoundError, ForbiddenError,
  ObexResponseError, UnexpectedResponseError, responseText, DatabaseFullError, DatabaseLockedError,
} from '@irdakit/obex'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))

describe('obex/codec: fixtures', () => {
  it('Connect request: version 1.0, flags 0, max packet 14273 (7 x 2039), no headers', () => {
    const b = encodeRequest({ opcode: Opcode.connect, final: true, headers: [], connect: { version: 0x10, flags: 0, maxPacket: 14273 } })
    expect(hex(b)).to.equal('800007' + '10' + '00' + '37c1')
    const r = decodeRequest(b)
    expect(r.ok && r.value).to.deep.equal({ opcode: 0, final: true, headers: [], connect: { version: 0x10, flags: 0, maxPacket: 14273 } })
  })

  it('Connect with the Folder Browsing target, and its Success response with Who and Connection-ID', () => {
    const req = encodeRequest({ opcode: Opcode.connect, final: true, connect: { version: 0x10, flags: 0, maxPacket: 0x2000 }, headers: [header(HeaderId.target, FOLDER_BROWSING_UUID)] })
    expect(hex(req)).to.equal('80001a 10 00 2000 46 0013 f9ec7bc4953c11d2984e525400dc9e09'.replace(/ /g, ''))
    const rsp = encodeResponse({ code: ResponseCode.success, connect: { version: 0x10, flags: 0, maxPacket: 0x0400 }, headers: [header(HeaderId.connectionId, 1), header(HeaderId.who, FOLDER_BROWSING_UUID)] })
    expect(hex(rsp)).to.equal('a0001f 10 00 0400 cb 00000001 4a 0013 f9ec7bc4953c11d2984e525400dc9e09'.replace(/ /g, ''))
    const d = decodeResponse(rsp, { connect: true })
    expect(d.ok && d.value.connect).to.deep.equal({ version: 0x10, flags: 0, maxPacket: 1024 })
  })

  it('Put of a vCard: Name (UTF-16BE, null-terminated), Type (ASCII, null-terminated), Length, End-of-Body', () => {
    const b = encodeRequest({
      opcode: Opcode.put,
      final: true,
      headers: [header(HeaderId.name, 'a.vcf'), typeHeader('text/x-vcard'), header(HeaderId.length, 3), header(HeaderId.endOfBody, bytes('414243'))],
    })
    expect(hex(b)).to.equal([
      '82002d',
      '01 000f 0061 002e 0076 0063 0066 0000',
      '42 0010 746578742f782d766361726400',
      'c3 00000003',
      '49 0006 414243',
    ].join('').replace(/ /g, ''))
    const r = decodeRequest(b)
    expect(r.ok).to.equal(true)
    if (!r.ok) return
    expect(r.value.final).to.equal(true)
    expect(typeOf(r.value.headers)).to.equal('text/x-vcard')
  })

  it('a non-final Put with a Body, SetPath to the parent, an empty Name (3 bytes), Abort, Disconnect', () => {
    expect(hex(encodeRequest({ opcode: Opcode.put, final: false, headers: [header(HeaderId.body, bytes('00ff'))] }))).to.equal('020008480005' + '00ff')
    expect(hex(encodeRequest({ opcode: Opcode.setPath, final: true, setPath: { flags: 0x03, constants: 0 }, headers: [] }))).to.equal('8500050300')
    expect(hex(encodeRequest({ opcode: Opcode.setPath, final: true, setPath: { flags: 0x02, constants: 0 }, headers: [header(HeaderId.name, '')] }))).to.equal('850008020001' + '0003')
    expect(hex(encodeRequest({ opcode: Opcode.abort, final: true, headers: [] }))).to.equal('ff0003')
    expect(hex(encodeRequest({ opcode: Opcode.disconnect, final: false, headers: [] }))).to.equal('810003')
    expect(hex(encodeResponse({ code: ResponseCode.continue, headers: [] }))).to.equal('900003')
  })

  it('1-byte and 4-byte headers; a character outside the BMP as a surrogate pair', () => {
    expect(hex(encodeHeaders([header(0x93, 0x7f), header(HeaderId.count, 0xFFFFFFFF)]))).to.equal('937f' + 'c0ffffffff')
    const hs = encodeHeaders([header(HeaderId.description, '\u{1F600}')])
    expect(hex(hs)).to.equal('05' + '0009' + 'd83dde00' + '0000')
    const d = decodeHeaders(hs)
    expect(d.ok && d.value[0]).to.deep.equal({ id: 5, kind: 'unicode', value: '\u{1F600}' })
  })

  it('header() refuses a value of the wrong encoding', () => {
    expect(() => header(HeaderId.name, 3)).to.throw(TypeError)
    expect(() => header(HeaderId.length, 2 ** 32)).to.throw(TypeError)
  })
})

describe('obex/codec: round trips', () => {
  const headerArb: fc.Arbitrary<ObexHeader> = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 0x3F }), fc.string({ unit: 'grapheme', maxLength: 40 }).filter(s => !s.includes('\0'))).map(([i, s]) => header(i, s)),
    fc.tuple(fc.integer({ min: 0x40, max: 0x7F }), fc.uint8Array({ maxLength: 300 })).map(([i, b]) => header(i, b)),
    fc.tuple(fc.integer({ min: 0x80, max: 0xBF }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => header(i, v)),
    fc.tuple(fc.integer({ min: 0xC0, max: 0xFF }), fc.integer({ min: 0, max: 0xFFFFFFFF })).map(([i, v]) => header(i, v)),
  )

  it('headers decode to what was encoded', () => {
    fc.assert(fc.property(fc.array(headerArb, { maxLength: 8 }), hs => {
      const d = decodeHeaders(encodeHeaders(hs))
      expect(d.ok && d.value).to.deep.equal(hs)
    }))
  })

  it('requests and responses decode to what was encoded, and the reader finds them at any split', () => {
    const reqArb = fc.record({
      opcode: fc.constantFrom(Opcode.put, Opcode.get, Opcode.connect, Opcode.setPath, Opcode.disconnect),
      final: fc.boolean(),
      headers: fc.array(headerArb, { maxLength: 5 }),
      flags: fc.integer({ min: 0, max: 255 }),
      maxPacket: fc.integer({ min: 255, max: 65535 }),
    })
    fc.assert(fc.property(fc.array(reqArb, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }), (reqs, cuts) => {
      const packets = reqs.map(r => {
        const q = { opcode: r.opcode, final: r.final || r.opcode !== Opcode.put && r.opcode !== Opcode.get, headers: r.headers,
          ...(r.opcode === Opcode.connect ? { connect: { version: 0x10, flags: r.flags, maxPacket: r.maxPacket } } : {}),
          ...(r.opcode === Opcode.setPath ? { setPath: { flags: r.flags, constants: 0 } } : {}) }
        const b = encodeRequest(q)
        const d = decodeRequest(b)
        expect(d.ok && d.value).to.deep.equal(q)
        return b
      })
      const stream = Buffer.concat(packets)
      const reader = new PacketReader(65535)
      const got: Uint8Array[] = []
      let off = 0
      for (let i = 0; off < stream.length; i++) {
        const n = cuts[i % cuts.length]
        const r = reader.push(stream.subarray(off, off + n))
        off += n
        expect(r.ok).to.equal(true)
        if (r.ok) got.push(...r.value)
      }
      expect(got.map(hex)).to.deep.equal(packets.map(hex))
      expect(reader.pending).to.equal(0)
    }), { numRuns: 200 })
  })

  it('responses with Connect fields round-trip', () => {
    fc.assert(fc.property(fc.integer({ min: 0x90, max: 0xFF }), fc.integer({ min: 255, max: 65535 }), fc.array(headerArb, { maxLength: 4 }), (code, maxPacket, headers) => {
      const r = { code, headers, connect: { version: 0x10, flags: 0, maxPacket } }
      const d = decodeResponse(encodeResponse(r), { connect: true })
      expect(d.ok && d.value).to.deep.equal(r)
    }))
  })
})

describe('obex/codec: hostile packets', () => {
  const reason = (d: { ok: boolean, error?: { reason: string } }): string | undefined => d.ok ? undefined : d.error?.reason

  it('a length field that disagrees with the packet', () => {
    expect(reason(decodeRequest(bytes('820010')) as never)).to.equal('length-mismatch')
    expect(reason(decodeRequest(bytes('82')) as never)).to.equal('short-packet')
  })

  it('a header running past the packet: a Name saying 200 bytes in an 11-byte packet', () => {
    const d = decodeRequest(bytes('82000b' + '0100c8' + '0061006200'))
    expect(d.ok).to.equal(false)
    if (!d.ok) { expect(d.error.name).to.equal('ObexWireError'); expect((d.error as never as { reason: string }).reason).to.equal('header-overrun') }
    expect(reason(decodeRequest(bytes('820005' + 'c3' + '00')) as never)).to.equal('header-overrun')
    expect(reason(decodeRequest(bytes('820006' + '48' + '0000')) as never)).to.equal('bad-header-length')
  })

  it('Unicode of odd length, with a lone surrogate, with a null inside', () => {
    expect(reason(decodeHeaders(bytes('010006' + '006100')) as never)).to.equal('bad-unicode')
    expect(reason(decodeHeaders(bytes('010007' + 'd83d' + '0000')) as never)).to.equal('bad-unicode')
    expect(reason(decodeHeaders(bytes('010009' + '0061' + '0000' + '0062')) as never)).to.equal('bad-unicode')
  })

  it('a Connect too short for its fields', () => {
    expect(reason(decodeRequest(bytes('800005' + '1000')) as never)).to.equal('bad-fields')
  })

  it('the reader refuses lengths under 3 or over its maximum, and stays failed', () => {
    const r = new PacketReader(255)
    const a = r.push(bytes('820100'))
    expect(a.ok).to.equal(false)
    if (!a.ok) expect(a.error.message).to.match(/256 bytes; this side takes 3 to 255/)
    expect(r.push(bytes('810003')).ok).to.equal(false)
    expect(new PacketReader(255).push(bytes('820002')).ok).to.equal(false)
    // A packet arriving a byte at a time is held, never more than one packet's worth.
    const s = new PacketReader(255)
    for (const x of bytes('8200')) expect(s.push(Uint8Array.of(x)).ok).to.equal(true)
    expect(s.pending).to.equal(2)
  })

  it('any bytes at all: decoding returns a value or a typed error, never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (b, connect) => {
      const r = decodeRequest(b)
      const s = decodeResponse(b, { connect })
      for (const d of [r, s]) if (!d.ok) expect(d.error.name).to.equal('ObexWireError')
    }), { numRuns: 2000 })
  })
})

describe('obex/errors: every response code has a typed error', () => {
  it('maps failure codes to their classes, unknown ones to UnexpectedResponseError', () => {
    expect(responseError(0xC4)).to.be.instanceOf(NotFoundError)
    expect(responseError(0x43)).to.be.instanceOf(ForbiddenError)
    expect(responseError(0xE0)).to.be.instanceOf(DatabaseFullError)
    expect(responseError(0xE1)).to.be.instanceOf(DatabaseLockedError)
    expect(responseError(0xE1).message).to.equal('Database Locked (0xE1)')
    expect(responseError(0xB1)).to.be.instanceOf(UnexpectedResponseError)
    expect(responseError(0xC4).message).to.equal('Not Found (0xC4)')
    expect(responseText(0xA0)).to.equal('Success (0xA0)')
    const names = new Set<string>()
    for (let c = 0xC0; c <= 0xD5; c++) { const e = responseError(c); expect(e).to.be.instanceOf(ObexResponseError); expect(e.name).to.not.equal('UnexpectedResponseError'); names.add(e.name) }
    expect(names.size).to.equal(0xD5 - 0xC0 + 1)
  })
})
