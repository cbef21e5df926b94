import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap, type PcapRecord } from '@irdakit/capture'
import { fcs16 } from '@irdakit/phy'
import { linuxSession } from '../helpers/linux-session.js'
import { expectCleanDecode, requireTshark, type TsharkFrame } from '../helpers/tshark.js'

describe('capture/tshark decodes the Linux 4.9 session', function () {
  let dir: string
  let frames: TsharkFrame[]
  const session = linuxSession()

  before(function () {
    requireTshark(this)
    dir = mkdtempSync(join(tmpdir(), 'irdakit-tshark-'))
    const records: PcapRecord[] = session.map(f => {
      // Every FCS Linux sent must be the one we compute; the pcap then carries the frame without it.
      expect(fcs16(f.frame), `FCS of frame at ${f.t} ms`).to.equal(f.fcs)
      return { timestampMs: f.t, direction: f.dir === 'A->B' ? 'out' : 'in', frame: f.frame }
    })
    const path = join(dir, 'linux-4.9-session.pcap')
    writePcap(path, records)
    frames = expectCleanDecode(path, { frames: session.length, noWarnings: true })
  })

  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  const withField = (name: string, value?: string): TsharkFrame[] =>
    frames.filter(f => f.fields[name] !== undefined && (value === undefined || f.fields[name].includes(value)))

  it('sees all 90 frames as IrLAP, none malformed', () => {
    expect(session).to.have.length(90)
    expect(frames.map(f => f.protocols[0])).to.deep.equal(session.map(() => 'irlap'))
    expect(frames.map(f => Number(f.fields['frame.len'][0]))).to.deep.equal(session.map(f => f.frame.length))
  })

  it('sees discovery XIDs with slots and the nicknames in the discovery info', () => {
    const xids = withField('irlap.xid.fi')
    expect(xids.length).to.equal(session.filter(f => (f.frame[1] & ~0x10) === 0x2F || (f.frame[1] & ~0x10) === 0xAF).length)
    expect(withField('irlap.xid.saddr', '0x9715b0cd').length).to.be.greaterThan(0)
    expect(withField('irlap.xid.slotnr', '255').length).to.equal(6)
    expect(withField('irlmp.xid.name', 'guestA')).to.have.length(6)
    expect(withField('irlmp.xid.name', 'guestB')).to.have.length(6)
  })

  it('sees SNRM and UA with all seven negotiation parameters', () => {
    const snrm = withField('irlap.snrm.saddr')
    expect(snrm).to.have.length(1)
    expect(snrm[0].fields['irlap.snrm.daddr']).to.deep.equal(['0x9715b0cd'])
    expect(snrm[0].fields['irlap.snrm.ca']).to.deep.equal(['0x43'])
    expect(snrm[0].fields['irlap.pi']).to.deep.equal(['0x01', '0x82', '0x83', '0x84', '0x85', '0x86', '0x08'])
    const ua = withField('irlap.ua.saddr')
    expect(ua.length).to.be.greaterThan(0)
    expect(ua[0].fields['irlap.pv']).to.deep.equal(['3e', '01', '3f', '7f', 'ff', '03', '07'])
  })

  it('sees I frames with N(S)/N(R) and S frames (RR)', () => {
    const iframes = withField('irlap.c.ftype', '0x00')
    expect(iframes.length).to.equal(session.filter(f => (f.frame[1] & 1) === 0).length)
    expect(withField('irlap.c.n_s').length).to.equal(iframes.length)
    expect(withField('irlap.c.ftype', '0x01').length).to.be.greaterThan(10)
  })

  it('sees IrLMP connect, confirm and disconnect, and the IAS query and its answer', () => {
    expect(withField('irlmp.opcode', '0x01').length).to.equal(2) // IAS and TinyTP connect
    expect(withField('irlmp.opcode', '0x81').length).to.equal(2)
    expect(withField('irlmp.opcode', '0x02').length).to.equal(2)
    const query = withField('iap.classname')
    expect(query).to.have.length(1)
    expect(query[0].fields['iap.classname']).to.deep.equal(['Echo'])
    expect(query[0].fields['iap.attrname']).to.deep.equal(['IrDA:TinyTP:LsapSel'])
    const answer = withField('iap.int')
    expect(answer).to.have.length(1)
    expect(answer[0].fields['iap.int']).to.deep.equal(['16'])
  })

  it('shows the TinyTP traffic on LSAP 16 as IrLMP data: Wireshark binds TTP only to IAS classes it knows', () => {
    // The session's TinyTP runs on the "Echo" class, which Wireshark's IrDA dissector has no
    // binding for, so it never dissects TTP here; the payload (TTP header + text) shows as data.
    expect(frames.some(f => f.protocols.includes('ttp'))).to.equal(false)
    const data = frames.filter(f => f.protocols.includes('data') && f.fields['irlmp.dst.lsap']?.[0] === '16')
    // TinyTP connect (parameter byte: initial credit 16), the echo request, ...
    expect(data[0].fields['data.data']).to.deep.equal(['10'])
    const text = data.filter(f => Number(f.fields['data.len'][0]) > 10)
    expect(text).to.have.length(1)
    expect(text[0].fields['data.data'][0]).to.match(/^00:70:72:69:73:74:69:6e:65/) // credit 0, "pristine"
  })
})
