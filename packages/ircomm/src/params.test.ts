import { expect } from 'chai'
import fc from 'fast-check'
import {
  decodeDataFormat, decodeParams, dceByte, dceLines, dteByte, dteLines, encodeDataFormat, encodeParams, isCritical,
  type DataFormat, type IrcommParam,
} from './params.js'
import { cookedDataSize, decodeCookedFrame, encodeCookedFrame } from './frame.js'

const hex = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'))

/** One fixture per parameter: the value and its bytes (PI PL PV), from ircomm_param.h/.c and IrCOMM 1.0. */
const FIXTURES: Array<[IrcommParam, string]> = [
  [{ type: 'service-type', value: 0x06 }, '00 01 06'],
  [{ type: 'port-type', value: 0x01 }, '01 01 01'],
  [{ type: 'port-name', name: 'COM1' }, '02 04 434f4d31'],
  [{ type: 'fixed-port-name', name: 'ALARM' }, '82 05 414c41524d'],
  [{ type: 'data-rate', bps: 9600 }, '10 04 00002580'],
  [{ type: 'data-rate', bps: 115200 }, '10 04 0001c200'],
  [{ type: 'data-format', value: 0x03 }, '11 01 03'],
  [{ type: 'flow-control', value: 0x0C }, '12 01 0c'],
  [{ type: 'xon-xoff', xon: 0x11, xoff: 0x13 }, '13 02 1113'],
  [{ type: 'enq-ack', enq: 0x05, ack: 0x06 }, '14 02 0506'],
  [{ type: 'line-status', value: 0x02 }, '15 01 02'],
  [{ type: 'break', value: 0x01 }, '16 01 01'],
  [{ type: 'dte', value: 0x0C }, '20 01 0c'],
  [{ type: 'dce', value: 0xF0 }, '21 01 f0'],
  [{ type: 'poll' }, '22 00'],
  [{ type: 'unknown', pi: 0x31, value: Uint8Array.of(0x0A) }, '31 01 0a'],
]

const arbParam: fc.Arbitrary<IrcommParam> = fc.oneof(
  ...(['service-type', 'port-type', 'data-format', 'flow-control', 'line-status', 'break', 'dte', 'dce'] as const)
    .map(type => fc.integer({ min: 0, max: 255 }).map(value => ({ type, value }) as IrcommParam)),
  fc.string({ maxLength: 40 }).map(s => ({ type: 'port-name', name: s.replace(/[^\x20-\x7e]/g, '') }) as IrcommParam),
  fc.string({ maxLength: 40 }).map(s => ({ type: 'fixed-port-name', name: s.replace(/[^\x20-\x7e]/g, '') }) as IrcommParam),
  fc.integer({ min: 0, max: 0xFFFFFFFF }).map(bps => ({ type: 'data-rate', bps }) as IrcommParam),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([xon, xoff]) => ({ type: 'xon-xoff', xon, xoff }) as IrcommParam),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([enq, ack]) => ({ type: 'enq-ack', enq, ack }) as IrcommParam),
  fc.constant<IrcommParam>({ type: 'poll' }),
  fc.tuple(fc.constantFrom(0x03, 0x17, 0x23, 0x30, 0x31, 0x32, 0x7f, 0x81, 0xa0), fc.uint8Array({ maxLength: 20 }))
    .map(([pi, value]) => ({ type: 'unknown', pi, value }) as IrcommParam),
)

describe('ircomm/parameters', () => {
  it('encodes every parameter byte for byte (fixtures) and decodes the bytes back', () => {
    for (const [param, bytes] of FIXTURES) {
      expect(hex(encodeParams([param])), param.type).to.equal(bytes.replace(/ /g, ''))
      expect(decodeParams(unhex(bytes)), param.type).to.deep.equal({ params: [param] })
    }
  })

  it('decodes the Parameters Linux registers in IAS, and a Casio IT-2000\'s', () => {
    // ircomm_tty_attach.c: service type 3-wire|9-wire, port type 0 (serial, Linux's spelling).
    expect(decodeParams(unhex('00 01 06 01 01 00')).params).to.deep.equal([{ type: 'service-type', value: 6 }, { type: 'port-type', value: 0 }])
    expect(decodeParams(unhex('00 01 04 01 01 01')).params).to.deep.equal([{ type: 'service-type', value: 4 }, { type: 'port-type', value: 1 }])
  })

  it('round-trips any list of parameters', () => {
    fc.assert(fc.property(fc.array(arbParam, { maxLength: 12 }), params => {
      const bytes = encodeParams(params)
      expect(decodeParams(bytes)).to.deep.equal({ params })
      expect(hex(encodeParams(decodeParams(bytes).params))).to.equal(hex(bytes))
    }))
  })

  it('never throws on hostile bytes; what it reads re-encodes to a prefix of the input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), bytes => {
      const d = decodeParams(bytes)
      const again = encodeParams(d.params)
      expect(hex(bytes.subarray(0, again.length))).to.equal(hex(again))
      if (d.error === undefined) expect(again.length).to.equal(bytes.length)
    }))
  })

  it('refuses a truncated tuple and a known PI with an impossible length, with a message', () => {
    expect(decodeParams(unhex('10 04 0000')).error).to.match(/says 4 bytes, 2 left/)
    expect(decodeParams(unhex('00 01 04 20')).error).to.match(/no length byte/)
    const wrong = decodeParams(unhex('00 01 04 10 02 2580'))
    expect(wrong.params).to.deep.equal([{ type: 'service-type', value: 4 }])
    expect(wrong.error).to.match(/0x10 must be 4 bytes, got 2/)
    expect(decodeParams(unhex('22 01 00')).error).to.match(/0x22 must be 0 bytes/)
  })

  it('knows the critical bit', () => {
    expect(isCritical(0x82)).to.equal(true)
    expect(isCritical(0x02)).to.equal(false)
  })

  it('refuses to encode values that do not fit', () => {
    expect(() => encodeParams([{ type: 'dte', value: 256 }])).to.throw(RangeError)
    expect(() => encodeParams([{ type: 'data-rate', bps: -1 }])).to.throw(RangeError)
    expect(() => encodeParams([{ type: 'port-name', name: 'x'.repeat(256) }])).to.throw(RangeError)
  })
})

describe('ircomm/data format and lines', () => {
  it('maps word length, stop bits and parity to the PI 0x11 byte (fixtures)', () => {
    expect(encodeDataFormat({ wordLength: 8, stopBits: 1, parity: 'none' })).to.equal(0x03)
    expect(encodeDataFormat({ wordLength: 7, stopBits: 1, parity: 'even' })).to.equal(0x1A)
    expect(encodeDataFormat({ wordLength: 7, stopBits: 2, parity: 'odd' })).to.equal(0x0E)
    expect(encodeDataFormat({ wordLength: 5, stopBits: 1, parity: 'space' })).to.equal(0x38)
    expect(decodeDataFormat(0x2B)).to.deep.equal({ wordLength: 8, stopBits: 1, parity: 'mark' })
  })

  it('round-trips every data format', () => {
    fc.assert(fc.property(fc.constantFrom(5, 6, 7, 8), fc.constantFrom(1, 2), fc.constantFrom('none', 'odd', 'even', 'mark', 'space'), (wordLength, stopBits, parity) => {
      const f = { wordLength, stopBits, parity } as DataFormat
      expect(decodeDataFormat(encodeDataFormat(f))).to.deep.equal(f)
    }))
  })

  it('sets delta bits only for lines that changed', () => {
    expect(dteByte({ dtr: true, rts: true })).to.equal(0x0C)
    expect(dteByte({ dtr: false, rts: true }, { dtr: true, rts: true })).to.equal(0x09)
    expect(dteLines(0x09)).to.deep.equal({ dtr: false, rts: true })
    expect(dceByte({ cts: true, dsr: true, ri: false, cd: true })).to.equal(0xB0)
    expect(dceByte({ cts: true, dsr: true, ri: true, cd: true }, { cts: true, dsr: true, ri: false, cd: true })).to.equal(0xF4)
    expect(dceLines(0xF4)).to.deep.equal({ cts: true, dsr: true, ri: true, cd: true })
  })
})

describe('ircomm/cooked frames', () => {
  it('lays out clen, control and data (fixtures)', () => {
    expect(hex(encodeCookedFrame([], Uint8Array.from(Buffer.from('AT\r'))))).to.equal('0041540d')
    expect(hex(encodeCookedFrame([{ type: 'dte', value: 0x0C }]))).to.equal('0320010c')
    expect(hex(encodeCookedFrame([{ type: 'dce', value: 0xB0 }], Uint8Array.of(0x4F, 0x4B)))).to.equal('032101b04f4b')
    const f = decodeCookedFrame(unhex('032101b04f4b'))
    expect([hex(f?.control), hex(f?.data)]).to.deep.equal(['2101b0', '4f4b'])
  })

  it('refuses an empty frame and a clen past the end', () => {
    expect(decodeCookedFrame(new Uint8Array(0))).to.equal(undefined)
    expect(decodeCookedFrame(unhex('0521'))).to.equal(undefined)
  })

  it('round-trips any control and data', () => {
    fc.assert(fc.property(fc.array(arbParam, { maxLength: 6 }), fc.uint8Array({ maxLength: 200 }), (params, data) => {
      fc.pre(encodeParams(params).length <= 255)
      const f = decodeCookedFrame(encodeCookedFrame(params, data))
      expect(decodeParams(f?.control ?? new Uint8Array(0))).to.deep.equal({ params })
      expect(hex(f?.data)).to.equal(hex(data))
    }))
  })

  it('leaves room for clen in every segment', () => {
    expect(cookedDataSize(61)).to.equal(60)
    expect(cookedDataSize(0)).to.equal(0)
  })
})
