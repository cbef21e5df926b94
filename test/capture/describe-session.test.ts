import { expect } from 'chai'
import fc from 'fast-check'
import { decodeFrame, formatFrame, DecodeSession } from '@irdakit/capture'
import { linuxSession } from '../helpers/linux-session.js'

describe('capture/decodeFrame: IrLMP, IAS and TinyTP layers', () => {
  it('describes the Linux session the way it happened: IAS lookup of Echo, then TinyTP on LSAP 0x10', () => {
    const session = new DecodeSession()
    const lines = linuxSession().map(f => decodeFrame(f.frame, session))
    expect(lines.filter(d => d.error !== undefined).map(d => d.summary)).to.deep.equal([])
    const upper = lines.filter(d => d.layers.length > 1).map(d => d.layers.slice(1).map(l => l.summary).join(' | '))
    expect(upper).to.deep.equal([
      'lmp: 0x11 > 0x00 connect',
      'lmp: 0x00 > 0x11 connect-confirm',
      'lmp: 0x11 > 0x00 data len=26 | ias: GetValueByClass "Echo" "IrDA:TinyTP:LsapSel"',
      'lmp: 0x00 > 0x11 data len=11 | ias: GetValueByClass success 8b7c:int(16)',
      'lmp: 0x11 > 0x00 disconnect reason=user-request',
      'lmp: 0x12 > 0x10 connect | ttp: connect credit=16',
      'lmp: 0x10 > 0x12 connect-confirm | ttp: connect credit=16',
      'lmp: 0x12 > 0x10 data len=22 | ttp: credit=0 len=21',
      'lmp: 0x10 > 0x12 data len=22 | ttp: credit=1 len=21',
      'lmp: 0x12 > 0x10 disconnect reason=user-request',
    ])
    expect(session.ttpLsaps.has(0x10)).to.equal(true)
  })

  it('without a session, leaves TinyTP undecoded (it cannot be told from plain IrLMP data)', () => {
    const data = linuxSession().find(f => f.frame.length > 20 && f.frame[2] === 0x10 && f.frame[3] === 0x12)
    expect(data).to.not.equal(undefined)
    const d = decodeFrame((data as { frame: Uint8Array }).frame)
    expect(d.layers.map(l => l.layer)).to.deep.equal(['LAP', 'LMP'])
    expect(formatFrame((data as { frame: Uint8Array }).frame)).to.match(/^i:cmd ca=0x43 .* lmp: 0x12 > 0x10 data len=22$/)
  })

  it('never throws and always summarises, whatever the I-frame payload (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (payload, withSession) => {
      const frame = Uint8Array.of(0x87, 0x10, ...payload)
      const session = withSession ? new DecodeSession([0x10, 0x11, 0x12]) : undefined
      const d = decodeFrame(frame, session)
      expect(d.summary).to.be.a('string').and.not.equal('')
    }), { numRuns: 3000 })
  })
})
