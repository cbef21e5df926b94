import { expect } from 'chai'
import fc from 'fast-check'
import { decodeFrame, formatFrame } from './describe.js'
import { emitFrame, fromHex, parseFrame, toHex } from '@irdakit/lap'
import { lapFrameOf } from './describe-lap.js'

const line = (hex: string): string => formatFrame(fromHex(hex))

describe('capture/describe LAP layer', () => {
  it('describes the Linux session frames irdadump-style', () => {
    expect(line('ff3f01cdb01597ffffffff010000')).to.equal('xid:cmd 0x9715b0cd > 0xffffffff S=6 s=0')
    expect(line('ff3f01cdb01597ffffffff01ff000400677565737441')).to.equal('xid:cmd 0x9715b0cd > 0xffffffff S=6 s=255 "guestA" hint=04')
    expect(line('febf01e8eb09c7cdb0159701040004006775657374 42'.replace(/ /g, ''))).to.equal('xid:rsp 0xc709ebe8 > 0x9715b0cd S=6 s=4 "guestB" hint=04')
    expect(line('ff93e8eb09c7cdb015978601013e82010183013f84017f8501ff860103080107')).to.equal(
      'snrm:cmd ca=0x43 pf=1 0xc709ebe8 > 0x9715b0cd baud=9600,19200,38400,57600,115200 maxturn=500ms data=2048 win=7 xbofs=0 minturn=5ms disc=12s')
    expect(line('871080110100')).to.equal('i:cmd ca=0x43 pf=1 nr=0 ns=0 len=4 lmp: 0x11 > 0x00 connect')
    expect(line('8671')).to.equal('rr:rsp ca=0x43 pf=1 nr=3')
    expect(line('8753')).to.equal('disc:cmd ca=0x43 pf=1')
    expect(line('8673cdb01597e8eb09c7')).to.equal('ua:rsp ca=0x43 pf=1 0x9715b0cd > 0xc709ebe8')
  })
  it('gives structured fields for the LAP layer', () => {
    const d = decodeFrame(fromHex('8697ffa401'))
    expect(d.error).to.equal(undefined)
    expect(d.layers).to.have.length(1)
    expect(d.layers[0].layer).to.equal('LAP')
    expect(d.layers[0].fields).to.include({ kind: 'FRMR', rejectedControl: 0xff, vs: 2, vr: 5, w: true })
    expect(d.summary).to.equal('frmr:rsp ca=0x43 pf=1 rejected=0xff:cmd vs=2 vr=5 W')
    const snrm = decodeFrame(fromHex('ff93e8eb09c7cdb015978601013e82010183013f84017f8501ff860103080107'))
    expect(snrm.layers[0].fields.qos).to.deep.include({ baudRate: [9600, 19200, 38400, 57600, 115200], minTurnaroundMs: [10, 5] })
  })
  it('reports undecodable frames with what the header tells, and the error', () => {
    const d = decodeFrame(fromHex('8773'))
    expect(d.error).to.match(/UnknownControlError/)
    expect(d.summary).to.equal('?:cmd ca=0x43 c=0x73 [error: UnknownControlError: undefined control field 0x73 in a command]')
    expect(decodeFrame(new Uint8Array(0))).to.deep.include({ layers: [] })
  })
  it('appends hex when asked', () => {
    expect(formatFrame(fromHex('8711'), { hex: true })).to.equal('rr:cmd ca=0x43 pf=1 nr=0\n    87 11')
  })
  it('never throws and always summarises, on any bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), b => {
      const d = decodeFrame(b)
      expect(d.summary).to.be.a('string').and.not.equal('')
      expect(formatFrame(b, { hex: true })).to.be.a('string')
    }), { numRuns: 3000 })
  })
  it('describes the IrLAP layer of every frame we can emit without error (property)', async () => {
    const { lapFrame } = await import('../../lap/src/wire/test-arbitraries.js')
    fc.assert(fc.property(lapFrame, f => {
      const d = decodeFrame(emitFrame(f))
      // Random I/UI payloads need not be valid IrLMP; only the layers above IrLAP may complain.
      if (d.error !== undefined) {
        expect(f.kind === 'I' || f.kind === 'UI').to.equal(true)
        expect(d.error).to.match(/^(IrLMP|IAS|TTP): /)
      }
      expect(d.layers[0].fields.kind).to.equal(f.kind)
    }), { numRuns: 1000 })
  })
})

describe('capture/describe-lap frame dispatch', () => {
  // lapFrameOf repeats parseFrame's dispatch without its object spreads (the cost of a dump line);
  // it must give the same frame wherever parseFrame succeeds, and give way wherever it fails.
  const agrees = (b: Uint8Array): void => {
    const r = parseFrame(b, { copyInfo: false })
    const f = lapFrameOf(b)
    if (r.ok) expect(f, toHex(b)).to.deep.equal(r.value)
    else expect(f, toHex(b)).to.equal(undefined)
  }
  it('agrees with parseFrame on any bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), agrees), { numRuns: 5000 })
  })
  it('agrees with parseFrame on every control byte, with and without information (property)', () => {
    const info = fc.uint8Array({ maxLength: 40 })
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), info, (a, c, i) => agrees(Uint8Array.of(a, c, ...i))), { numRuns: 5000 })
  })
  it('agrees with parseFrame on SNRM and UA with any parameter list: unknown, duplicate, wide, null, missing (property)', () => {
    const param = fc.tuple(fc.constantFrom(0x01, 0x82, 0x83, 0x84, 0x85, 0x86, 0x08, 0x10, 0x99), fc.uint8Array({ maxLength: 3 }))
      .map(([pi, pv]) => [pi, pv.length, ...pv])
    const frame = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x83, 0x93, 0x63, 0x73), fc.uint8Array({ minLength: 7, maxLength: 10 }), fc.array(param, { maxLength: 9 }))
      .map(([a, c, head, params]) => Uint8Array.of(a, c, ...head, ...params.flat()))
    fc.assert(fc.property(frame, agrees), { numRuns: 5000 })
  })
  it('agrees with parseFrame on every frame we can emit (property)', async () => {
    const { lapFrame } = await import('../../lap/src/wire/test-arbitraries.js')
    fc.assert(fc.property(lapFrame, f => agrees(emitFrame(f))), { numRuns: 2000 })
  })
})
