import { expect } from 'chai'
import fc from 'fast-check'
import { WireError } from '@irdakit/core'
import { parseDiscoveryInfo, emitDiscoveryInfo, MAX_DISCOVERY_INFO, MAX_NICKNAME_BYTES, CHARSET } from './discovery.js'
import { fromHex, toHex } from './bytes.js'

function parsed (hex: string): { hints: string, charset: number, nickname: string } {
  const r = parseDiscoveryInfo(fromHex(hex))
  if (!r.ok) throw r.error
  return { hints: toHex(r.value.hints), charset: r.value.charset, nickname: r.value.nickname }
}

describe('lap/wire discovery info', () => {
  it('decodes the Linux session discovery info (one hint byte, ASCII)', () => {
    expect(parsed('0400677565737442')).to.deep.equal({ hints: '04', charset: 0, nickname: 'guestB' })
  })
  it('follows the 0x80 extension chain of hint bytes', () => {
    expect(parsed('8420004c696e7578')).to.deep.equal({ hints: '8420', charset: 0, nickname: 'Linux' })
    expect(parsed('848404ff00410042')).to.deep.equal({ hints: '848404', charset: 0xFF, nickname: 'AB' })
  })
  it('tolerates a missing charset and NUL padding; refuses an empty field or a chain past the end', () => {
    expect(parsed('04')).to.deep.equal({ hints: '04', charset: 0, nickname: '' })
    expect(parsed('0400414200')).to.deep.equal({ hints: '04', charset: 0, nickname: 'AB' })
    expect(parseDiscoveryInfo(new Uint8Array(0)).ok).to.equal(false)
    expect(parseDiscoveryInfo(fromHex('8484')).ok).to.equal(false)
  })
  it('decodes ISO-8859-x by its own table, not windows-1252', () => {
    expect(parsed('0001e9').nickname).to.equal('é') // 8859-1
    expect(parsed('0002a1').nickname).to.equal('Ą') // 8859-2
    expect(parsed('000180').nickname).to.equal('\u0080') // a C1 control in 8859-1, not the euro sign
  })
  it('emits hint extension bits itself and replaces characters the charset lacks', () => {
    expect(toHex(emitDiscoveryInfo({ hints: Uint8Array.of(0x04, 0x20), charset: 0, nickname: 'Linux' }))).to.equal('8420004c696e7578')
    expect(toHex(emitDiscoveryInfo({ hints: new Uint8Array(0), charset: 0, nickname: 'é' }))).to.equal('00003f')
    expect(toHex(emitDiscoveryInfo({ hints: Uint8Array.of(0x04), charset: 2, nickname: 'Ą' }))).to.equal('0402a1')
  })
  it('cuts the nickname so the field fits, at a character boundary', () => {
    const long = 'x'.repeat(40)
    expect(emitDiscoveryInfo({ hints: Uint8Array.of(0x84, 0x04), charset: 0, nickname: long }).length).to.equal(2 + 1 + MAX_NICKNAME_BYTES)
    expect(emitDiscoveryInfo({ hints: Uint8Array.of(0x04), charset: 0, nickname: long }, 10).length).to.equal(10)
    expect(emitDiscoveryInfo({ hints: Uint8Array.of(0x04), charset: CHARSET.UNICODE, nickname: long }, 10).length).to.equal(10) // 2 + 4 chars x 2
  })
  it('round-trips any nickname the charset can hold (property)', () => {
    const charsetName = fc.oneof(
      fc.tuple(fc.constant(0), fc.string({ maxLength: 22 }).map(s => s.replace(/[^\x01-\x7f]/g, 'a'))),
      fc.tuple(fc.constant(1), fc.string({ unit: fc.integer({ min: 1, max: 255 }).map(c => String.fromCharCode(c)), maxLength: 22 })),
      fc.tuple(fc.constant(0xFF), fc.string({ unit: fc.integer({ min: 1, max: 0xD7FF }).map(c => String.fromCharCode(c)), maxLength: 11 })),
    )
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4 }), charsetName, (hints, [charset, nickname]) => {
      const bytes = emitDiscoveryInfo({ hints, charset, nickname })
      expect(bytes.length).to.be.at.most(MAX_DISCOVERY_INFO)
      const r = parseDiscoveryInfo(bytes)
      expect(r.ok).to.equal(true)
      if (r.ok) {
        expect(r.value.charset).to.equal(charset)
        expect(r.value.nickname).to.equal(nickname)
        expect(r.value.hints.length).to.equal(Math.max(1, hints.length))
      }
    }), { numRuns: 1000 })
  })
  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), b => {
      const r = parseDiscoveryInfo(b)
      if (!r.ok) expect(r.error).to.be.instanceOf(WireError)
    }), { numRuns: 3000 })
  })
})
