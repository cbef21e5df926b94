import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap } from '@irdakit/capture'
import { emitFrame, emitDiscoveryInfo, defaultQos, encodeQos, toHex, BROADCAST_DEVICE, type LapFrame } from '@irdakit/lap'
import { requireTshark, expectCleanDecode, tsharkDecode, type TsharkFrame } from '../helpers/tshark.js'

const A = 0x9715b0cd
const B = 0x1234abcd
const CA = 0x43
const QOS = defaultQos({ speeds: [9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000], minTurnaroundMs: 1, linkDisconnectMs: 12000 })
const discovery = emitDiscoveryInfo({ hints: Uint8Array.of(0x04, 0x04), charset: 0, nickname: 'irdakit' })
const lm = Uint8Array.of(0x80, 0x11, 0x01, 0x00) // IrLMP connect request, LSAP 0x11 -> 0x00
const h = (command: boolean, pf = true, caddr = CA): { caddr: number, command: boolean, pf: boolean } => ({ caddr, command, pf })

/** Every frame kind we can emit, with the values tshark must read back. */
const FRAMES: Array<{ name: string, frame: LapFrame, check: (f: TsharkFrame) => void }> = [
  { name: 'XID cmd slot 0', frame: { ...h(true, true, 0x7f), kind: 'XID', info: { format: 1, source: A, destination: BROADCAST_DEVICE, slots: 8, newAddress: false, slot: 0, version: 0 } }, check: f => {
    expect(f.fields['irlap.xid.saddr']).to.deep.equal(['0x9715b0cd'])
    expect(f.fields['irlap.xid.daddr']).to.deep.equal(['0xffffffff'])
    expect(f.fields['irlap.xid.s']).to.deep.equal(['2'])
    expect(f.fields['irlap.xid.slotnr']).to.deep.equal(['0'])
  } },
  { name: 'XID cmd final, new address, discovery info', frame: { ...h(true, true, 0x7f), kind: 'XID', info: { format: 1, source: A, destination: BROADCAST_DEVICE, slots: 16, newAddress: true, slot: 0xff, version: 0, discoveryInfo: discovery } }, check: f => {
    expect(f.fields['irlap.xid.s']).to.deep.equal(['3'])
    expect(f.fields['irlap.xid.conflict']).to.deep.equal(['1'])
    expect(f.fields['irlap.xid.slotnr']).to.deep.equal(['255'])
    expect(f.fields['irlmp.xid.name']).to.deep.equal(['irdakit'])
  } },
  { name: 'XID rsp with discovery info', frame: { ...h(false, true, 0x7f), kind: 'XID', info: { format: 1, source: B, destination: A, slots: 8, newAddress: false, slot: 5, version: 0, discoveryInfo: discovery } }, check: f => {
    expect(f.fields['irlap.xid.saddr']).to.deep.equal(['0x1234abcd'])
    expect(f.fields['irlmp.xid.hints']?.[0].replace(/:/g, '')).to.equal('8404')
    expect(f.fields['irlmp.xid.charset']).to.deep.equal(['0x00'])
    expect(f.fields['irlmp.xid.name']).to.deep.equal(['irdakit'])
  } },
  { name: 'SNRM with full QoS', frame: { ...h(true, true, 0x7f), kind: 'SNRM', info: { source: B, destination: A, connAddr: CA, qos: QOS } }, check: f => {
    expect(f.fields['irlap.snrm.saddr']).to.deep.equal(['0x1234abcd'])
    expect(f.fields['irlap.snrm.daddr']).to.deep.equal(['0x9715b0cd'])
    expect(f.fields['irlap.snrm.ca']).to.deep.equal(['0x43'])
    expect(f.fields['irlap.pi']).to.deep.equal(['0x01', '0x82', '0x83', '0x84', '0x85', '0x86', '0x08'])
    expect(f.fields['irlap.pv']?.map(v => v.replace(/:/g, '')).join('')).to.equal(pvsOf(encodeQos(QOS)))
  } },
  { name: 'UA with QoS', frame: { ...h(false), kind: 'UA', info: { source: A, destination: B, qos: QOS } }, check: f => {
    expect(f.fields['irlap.ua.saddr']).to.deep.equal(['0x9715b0cd'])
    expect(f.fields['irlap.pv']?.[0].replace(/:/g, '')).to.equal('fe01') // 9600..4M: 2-byte little-endian PV
  } },
  { name: 'UA with addresses only', frame: { ...h(false), kind: 'UA', info: { source: A, destination: B } }, check: f => { expect(f.fields['irlap.ua.daddr']).to.deep.equal(['0x1234abcd']) } },
  { name: 'UA bare', frame: { ...h(false), kind: 'UA' }, check: f => { expect(f.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x18']) } },
  { name: 'I cmd', frame: { ...h(true, false), kind: 'I', ns: 5, nr: 3, info: lm }, check: f => {
    expect(f.fields['irlap.c.n_s']).to.deep.equal(['5'])
    expect(f.fields['irlap.c.n_r']).to.deep.equal(['3'])
    expect(f.fields['irlmp.opcode']).to.deep.equal(['0x01'])
  } },
  { name: 'I rsp', frame: { ...h(false), kind: 'I', ns: 7, nr: 0, info: Uint8Array.of(0x11, 0x10, 0x81, 0x00) }, check: f => {
    expect(f.fields['irlap.c.n_s']).to.deep.equal(['7'])
    expect(f.fields['irlap.c.p'] ?? f.fields['irlap.c.f']).to.deep.equal(['1']) // Wireshark names the I-frame bit "p" either way
  } },
  ...(['RR', 'RNR', 'REJ', 'SREJ'] as const).flatMap((kind, code) => [true, false].map(command => ({
    name: `${kind} ${command ? 'cmd' : 'rsp'}`,
    frame: { ...h(command), kind, nr: 6 } as LapFrame,
    check: (f: TsharkFrame) => {
      expect(f.fields['irlap.c.s_ftype']).to.deep.equal([`0x0${code}`])
      expect(f.fields['irlap.c.n_r']).to.deep.equal(['6'])
      expect(f.fields['irlap.a.cr']).to.deep.equal([command ? '1' : '0'])
    },
  }))),
  { name: 'DISC', frame: { ...h(true), kind: 'DISC' }, check: f => { expect(f.fields['irlap.c.u_modifier_cmd']).to.deep.equal(['0x10']) } },
  { name: 'RD', frame: { ...h(false), kind: 'RD' }, check: f => { expect(f.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x10']) } },
  { name: 'DM', frame: { ...h(false), kind: 'DM' }, check: f => { expect(f.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x03']) } },
  { name: 'FRMR', frame: { ...h(false), kind: 'FRMR', info: { rejectedControl: 0xff, vs: 2, vr: 5, rejectedCommand: true, w: true, x: false, y: false, z: false } }, check: f => {
    expect(f.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x21'])
    expect(f.fields['data.data']?.[0].replace(/:/g, '')).to.equal('ffa401')
  } },
  { name: 'TEST cmd (NDM, addresses)', frame: { ...h(true, true, 0x7f), kind: 'TEST', info: { source: A, destination: B, data: Uint8Array.of(1, 2, 3) } }, check: f => {
    expect(f.fields['irlap.c.u_modifier_cmd']).to.deep.equal(['0x38'])
    expect(f.fields['data.data']?.[0].replace(/:/g, '')).to.equal('cdb01597cdab3412010203')
  } },
  { name: 'TEST rsp (NRM)', frame: { ...h(false), kind: 'TEST', info: { data: Uint8Array.of(9, 9) } }, check: f => { expect(f.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x38']) } },
  { name: 'UI', frame: { ...h(true, false, 0x7f), kind: 'UI', info: Uint8Array.of(0x70, 0x70, 0x01) }, check: f => { expect(f.fields['irlap.c.u_modifier_cmd']).to.deep.equal(['0x00']) } },
]

/** The PV bytes of a parameter list, concatenated. */
function pvsOf (params: Uint8Array): string {
  let out = ''
  for (let i = 0; i + 1 < params.length; i += 2 + params[i + 1]) out += toHex(params.subarray(i + 2, i + 2 + params[i + 1]))
  return out
}

describe('lap-wire: tshark decodes every frame kind we emit', function () {
  let dir: string
  let frames: TsharkFrame[]

  before(function () {
    requireTshark(this)
    dir = mkdtempSync(join(tmpdir(), 'irdakit-lap-wire-'))
    const path = join(dir, 'every-kind.pcap')
    writePcap(path, FRAMES.map((f, i) => ({ timestampMs: i * 10, direction: f.frame.command ? 'out' : 'in', frame: emitFrame(f.frame) })))
    frames = expectCleanDecode(path, { frames: FRAMES.length, noWarnings: true })
  })

  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('every frame is IrLAP, with the address, C/R and P/F we encoded', () => {
    FRAMES.forEach((f, i) => {
      const t = frames[i]
      expect(t.protocols[0], f.name).to.equal('irlap')
      expect(t.fields['irlap.a.address'], f.name).to.deep.equal([`0x${f.frame.caddr.toString(16).padStart(2, '0')}`])
      expect(t.fields['irlap.a.cr'], f.name).to.deep.equal([f.frame.command ? '1' : '0'])
    })
  })

  FRAMES.forEach((f, i) => {
    it(`reads back ${f.name}`, () => f.check(frames[i]))
  })

  it('RNRM: Wireshark reads 0x83 responses as SNRM and wants an SNRM information field (dissector limit, not ours)', function () {
    requireTshark(this)
    const path = join(dir, 'rnrm.pcap')
    writePcap(path, [{ timestampMs: 0, direction: 'in', frame: emitFrame({ ...h(false), kind: 'RNRM' }) }])
    // Wireshark then flags the frame malformed (it runs past the end looking for addresses):
    // we keep the spec's empty RNRM and check what it does read.
    const [t] = tsharkDecode(path)
    expect(t.fields['irlap.c']).to.deep.equal(['0x93'])
    expect(t.fields['irlap.a.cr']).to.deep.equal(['0'])
    expect(t.fields['irlap.c.u_modifier_resp']).to.deep.equal(['0x20'])
    expect(toHex(emitFrame({ ...h(false), kind: 'RNRM' }))).to.equal('8693') // IrLAP: RNRM has no information field
  })
})
