import { expect } from 'chai'
import { parseFrame, emitFrame } from './frame-codec.js'
import { fromHex, toHex } from './bytes.js'
import { UnknownControlError, InfoNotAllowedError, TruncatedFrameError, MalformedFieldError, InvalidReprError } from './errors.js'
import { LINUX_FRAMES } from './test-linux-frames.js'
import type { LapFrame } from '../frame.js'

function parsed (hex: string): LapFrame {
  const r = parseFrame(fromHex(hex))
  if (!r.ok) throw r.error
  return r.value
}

function errorOf (hex: string): Error {
  const r = parseFrame(fromHex(hex))
  if (r.ok) throw new Error(`expected ${hex} to fail, got ${r.value.kind}`)
  return r.error
}

describe('lap/wire parseFrame + emitFrame: Linux 4.9 session frames', () => {
  for (const { hex, frame, note } of LINUX_FRAMES) {
    it(`${note}: ${hex.slice(0, 24)}${hex.length > 24 ? '...' : ''}`, () => {
      expect(parsed(hex)).to.deep.equal(frame)
      expect(toHex(emitFrame(frame))).to.equal(hex)
    })
  }
})

describe('lap/wire control codes', () => {
  it('tells DISC from RD and SNRM from RNRM by C/R', () => {
    expect(parsed('8753').kind).to.equal('DISC')
    expect(parsed('8653').kind).to.equal('RD')
    expect(parsed('8693').kind).to.equal('RNRM')
    expect(parsed('ff93').kind).to.equal('SNRM')
  })
  it('decodes every S frame and the N(R)/P-F bits', () => {
    expect(parsed('87b5')).to.deep.equal({ caddr: 0x43, command: true, pf: true, kind: 'RNR', nr: 5 })
    expect(parsed('8609')).to.deep.equal({ caddr: 0x43, command: false, pf: false, kind: 'REJ', nr: 0 })
    expect(parsed('86ed')).to.deep.equal({ caddr: 0x43, command: false, pf: false, kind: 'SREJ', nr: 7 })
  })
  it('decodes DM, UI, TEST in NDM and NRM, and FRMR', () => {
    expect(parsed('fe1f')).to.deep.equal({ caddr: 0x7f, command: false, pf: true, kind: 'DM' })
    expect(parsed('ff13414243')).to.deep.equal({ caddr: 0x7f, command: true, pf: true, kind: 'UI', info: fromHex('414243') })
    expect(parsed('fff3cdb01597ffffffff0102')).to.deep.equal({ caddr: 0x7f, command: true, pf: true, kind: 'TEST', info: { source: 0x9715b0cd, destination: 0xffffffff, data: fromHex('0102') } })
    expect(parsed('86f30102')).to.deep.equal({ caddr: 0x43, command: false, pf: true, kind: 'TEST', info: { data: fromHex('0102') } })
    // FRMR of an undefined command 0xff: V(S)=2, V(R)=5, rejected frame was a command, W set.
    expect(parsed('8697ffa401')).to.deep.equal({ caddr: 0x43, command: false, pf: true, kind: 'FRMR', info: { rejectedControl: 0xff, vs: 2, vr: 5, rejectedCommand: true, w: true, x: false, y: false, z: false } })
  })
})

describe('lap/wire typed errors', () => {
  it('a frame shorter than A + C is truncated', () => {
    expect(errorOf('')).to.be.instanceOf(TruncatedFrameError)
    expect(errorOf('ff')).to.be.instanceOf(TruncatedFrameError)
  })
  it('response-only codes sent as commands are unknown controls, with the control and C/R kept for FRMR', () => {
    const e = errorOf('8773') // UA as a command
    expect(e).to.be.instanceOf(UnknownControlError)
    expect((e as UnknownControlError).control).to.equal(0x73)
    expect((e as UnknownControlError).command).to.equal(true)
    expect(errorOf('ff27')).to.be.instanceOf(UnknownControlError) // 0x27 is no U code at all
    expect(errorOf('fe3f')).to.be.instanceOf(UnknownControlError) // XID command code in a response
  })
  it('S frames and DISC/RD/DM/RNRM with an information field are refused (FRMR X)', () => {
    expect(errorOf('871100')).to.be.instanceOf(InfoNotAllowedError)
    expect(errorOf('875300')).to.be.instanceOf(InfoNotAllowedError)
  })
  it('short information fields are truncated, broken parameter lists malformed', () => {
    expect(errorOf('ff3f01cdb01597ffffffff0100')).to.be.instanceOf(TruncatedFrameError) // XID 11 bytes
    expect(errorOf('8697ffa4')).to.be.instanceOf(TruncatedFrameError) // FRMR 2 bytes
    expect(errorOf('fff3cdb0')).to.be.instanceOf(TruncatedFrameError) // NDM TEST without addresses
    expect(errorOf('ff93e8eb09c7cdb01597')).to.be.instanceOf(TruncatedFrameError) // SNRM without connection address
    expect(errorOf('ff93e8eb09c7cdb01597860105')).to.be.instanceOf(MalformedFieldError) // PL runs past the end
  })
})

describe('lap/wire emitFrame refuses out-of-range Reprs', () => {
  it('throws InvalidReprError for bad header fields and impossible directions', () => {
    expect(() => emitFrame({ caddr: 0x80, command: true, pf: false, kind: 'RR', nr: 0 })).to.throw(InvalidReprError)
    expect(() => emitFrame({ caddr: 1, command: true, pf: false, kind: 'RR', nr: 8 })).to.throw(InvalidReprError)
    expect(() => emitFrame({ caddr: 1, command: true, pf: false, kind: 'UA' })).to.throw(InvalidReprError)
    expect(() => emitFrame({ caddr: 1, command: false, pf: false, kind: 'DISC' })).to.throw(InvalidReprError)
    expect(() => emitFrame({ caddr: 0x7f, command: true, pf: true, kind: 'TEST', info: { data: new Uint8Array(0) } })).to.throw(InvalidReprError)
  })
})

describe('lap/wire parseFrame information ownership', () => {
  it('gives I and UI frames an information field of their own by default, a view with copyInfo: false', () => {
    for (const bytes of [Uint8Array.of(0x87, 0x10, 1, 2, 3), Uint8Array.of(0xFF, 0x13, 4, 5)]) {
      const own = parseFrame(bytes)
      const view = parseFrame(bytes, { copyInfo: false })
      if (!own.ok || !view.ok || !('info' in own.value) || !('info' in view.value)) throw new Error('expected frames with information')
      const ownInfo = own.value.info as Uint8Array
      const viewInfo = view.value.info as Uint8Array
      expect([...ownInfo]).to.deep.equal([...viewInfo])
      bytes[2] ^= 0xFF // the caller reuses its buffer
      expect(ownInfo[0]).to.not.equal(bytes[2])
      expect(viewInfo[0]).to.equal(bytes[2])
    }
  })

  it('an information field or an emitted I frame is never changed by the frames parsed and emitted after it (pooled arrays do not overlap)', () => {
    const kept: Array<{ bytes: Uint8Array, hex: string }> = []
    for (let n = 0; n < 60; n++) {
      const info = new Uint8Array((n * 211) % 2049).fill(n)
      const emitted = emitFrame({ caddr: 1, command: true, pf: false, kind: 'I', ns: n & 7, nr: 0, info })
      const parsed = parseFrame(emitted)
      if (!parsed.ok || parsed.value.kind !== 'I') throw new Error('expected an I frame')
      kept.push({ bytes: emitted, hex: Buffer.from(emitted).toString('hex') })
      kept.push({ bytes: parsed.value.info, hex: Buffer.from(info).toString('hex') })
    }
    for (const k of kept) expect(Buffer.from(k.bytes).toString('hex')).to.equal(k.hex)
  })
})
