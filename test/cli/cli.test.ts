import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { requireTshark, expectCleanDecode } from '../helpers/tshark.js'
import { runIrda, stderrLines } from './run-irda.js'
import { testDir } from '../helpers/temp-dir.js'

const dir = testDir('irdakit-cli-')
const demoPcap = join(dir, 'demo.pcap')

describe('irda (the command line)', () => {
  describe('irda demo', () => {
    let demo: ReturnType<typeof runIrda>
    before(() => { demo = runIrda(['demo', '--pcap', demoPcap, '--bytes', '5000', '--speed', '115200']) })

    it('discovers, looks up IAS, connects over TinyTP and echoes the bytes identically', () => {
      expect(demo.stderr).to.equal('')
      expect(demo.status).to.equal(0)
      expect(demo.stdout).to.match(/xid:rsp .* "Aladin Smart"/)
      expect(demo.stdout).to.match(/ias: GetValueByClass "IrDA:IrCOMM" "IrDA:TinyTP:LsapSel"/)
      expect(demo.stdout).to.match(/IrDA:IrCOMM echo on LSAP 0x[0-9a-f]+ \(from IAS\)/)
      expect(demo.stdout).to.match(/ttp: connect credit=16/)
      expect(demo.stdout).to.match(/echoed 5000 bytes \(generated\) in [\d.]+ ms of link time: identical/)
      expect(demo.stdout).to.match(/% of the line's byte rate \((SIR|MIR|FIR): \d+ bits a byte\), [\d.]+% of the link's ideal schedule/)
      expect(demo.stdout).to.match(/\d+ frames, \d+ retransmissions, \d+ receive errors/)
    })

    it('prints no colour and no progress bar when not on a TTY', () => {
      // eslint-disable-next-line no-control-regex
      expect(demo.stdout + demo.stderr).to.not.match(/\u001b\[|\r/)
    })

    it('writes a pcap tshark decodes cleanly, with IrLAP, IrLMP, IAS, TinyTP and IrCOMM in it', function () {
      requireTshark(this)
      const frames = expectCleanDecode(demoPcap)
      const protocols = new Set(frames.flatMap(f => f.protocols))
      for (const p of ['irlap', 'irlmp', 'iap', 'ttp', 'ircomm']) expect(protocols, p).to.include(p)
      // every echoed byte is in IrCOMM frames tshark read as clen 0 plus user data
      const ircomm = frames.filter(f => f.protocols.includes('ircomm'))
      expect(ircomm.length).to.be.greaterThan(2)
      for (const f of ircomm) expect(f.fields['ircomm.control.len'], `frame ${f.number}`).to.deep.equal(['0'])
    })

    it('gives one JSON document with the summary and every frame decoded', () => {
      const r = runIrda(['demo', '--json', '--bytes', '2000', '--speed', '115200'])
      expect(r.status).to.equal(0)
      const doc = JSON.parse(r.stdout) as { ok: boolean, summary: { bytes: number, identical: boolean, frames: number, peer: { nickname: string } }, frames: Array<{ summary: string, direction: string }> }
      expect(doc.ok).to.equal(true)
      expect(doc.summary.bytes).to.equal(2000)
      expect(doc.summary.identical).to.equal(true)
      expect(doc.summary.peer.nickname).to.equal('Aladin Smart')
      expect(doc.frames).to.have.length(doc.summary.frames)
      expect(doc.frames.some(f => f.summary.includes('ias: GetValueByClass'))).to.equal(true)
      expect(new Set(doc.frames.map(f => f.direction))).to.deep.equal(new Set(['in', 'out']))
    })

    it('echoes a --file and recovers from bit errors (seeded: the same run every time)', () => {
      const file = join(dir, 'payload.bin')
      writeFileSync(file, Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xFF))
      const r = runIrda(['demo', '--file', file, '--speed', '115200', '--ber', '1e-4', '--quiet'])
      expect(r.status).to.equal(0)
      expect(r.stdout).to.match(/echoed 3000 bytes \(.*payload\.bin\) .*identical/)
      expect(r.stdout).to.not.match(/xid:cmd/)
      const m = /(\d+) retransmissions/.exec(r.stdout)
      expect(Number(m?.[1])).to.be.greaterThan(0)
    })
  })

  describe('irda dump', () => {
    it('prints one irdadump-like line per frame of the demo capture', () => {
      const r = runIrda(['dump', demoPcap])
      expect(r.status).to.equal(0)
      const lines = r.stdout.trimEnd().split('\n')
      expect(lines[0]).to.match(/^\s+0\.000000 > xid:cmd 0x[0-9a-f]{8} > 0xffffffff S=6 s=0$/)
      expect(r.stdout).to.match(/< xid:rsp .* "Aladin Smart"/)
      expect(r.stdout).to.match(/ias: GetValueByClass success/)
      expect(r.stdout).to.not.match(/\[error:/)
      expect(r.stderr.trim()).to.equal(`${lines.length} frames`)
    })

    it('adds the bytes with --hex and decodes to JSON with --json', () => {
      const hex = runIrda(['dump', '--hex', demoPcap])
      expect(hex.stdout).to.match(/\n {4}ff 3f 01 /)
      const r = runIrda(['dump', '--json', demoPcap])
      const doc = JSON.parse(r.stdout) as { frames: number, malformed: number, records: Array<{ summary: string }> }
      expect(doc.malformed).to.equal(0)
      expect(doc.records).to.have.length(doc.frames)
    })
  })

  describe('irda dongles', () => {
    it('lists the 12 dongle profiles in JSON', () => {
      const r = runIrda(['dongles', '--json'])
      expect(r.status).to.equal(0)
      const doc = JSON.parse(r.stdout) as { profiles: Array<{ name: string, speeds: number[] }>, serialPorts: unknown, serialPortsUnavailable?: string }
      expect(doc.profiles).to.have.length(12)
      expect(doc.profiles.map(p => p.name)).to.include.members(['none', 'tekram', 'actisys-plus', 'ma600'])
      // Without udevadm the ports are not listed (SerialPort.list would crash) and the reason is given.
      if (doc.serialPorts === null) expect(doc.serialPortsUnavailable).to.be.a('string')
    })
  })

  describe('irda discover', () => {
    it('finds every device of the emulated room', () => {
      const r = runIrda(['discover', '--json'])
      expect(r.status).to.equal(0)
      const doc = JSON.parse(r.stdout) as { devices: Array<{ nickname: string, services: string[] }> }
      expect(doc.devices.map(d => d.nickname).sort()).to.deep.equal(['Aladin Smart', 'HP LaserJet 2100', 'Nokia 6310i', 'Palm m505'])
      expect(doc.devices.find(d => d.nickname === 'Nokia 6310i')?.services).to.include.members(['Telephony', 'IrCOMM', 'OBEX'])
    })
  })

  describe('user errors: a non-zero exit and one line on stderr', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['a speed IrDA does not define', ['demo', '--speed', '12345'], /--speed .*must be one of/],
      ['a bit error rate out of range', ['demo', '--ber', '2'], /--ber/],
      ['an unknown option', ['demo', '--bogus'], /unknown option '--bogus'/],
      ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
      ['a missing --file', ['demo', '--file', '/nonexistent/x.bin'], /cannot read --file .*ENOENT/],
      ['a missing pcap', ['dump', '/nonexistent/x.pcap'], /cannot read .*ENOENT/],
      ['a file that is not a pcap', ['dump', 'package.json'], /not an IrDA pcap/],
      ['a missing serial device', ['discover', '--port', '/dev/irdakit-no-such-tty'], /cannot open \/dev\/irdakit-no-such-tty/],
      ['an unknown dongle', ['discover', '--port', '/dev/irdakit-no-such-tty', '--dongle', 'nope'], /nope/],
      // `dump` alone is now its own one-line error (a pcap, --port or --emulator); see dump-live.test.ts.
      ['a missing argument', ['ias'], /missing required argument/],
    ]
    for (const [what, args, message] of cases) {
      it(`rejects ${what}`, () => {
        const r = runIrda(args)
        expect(r.status, r.stderr).to.not.equal(0)
        expect(stderrLines(r), r.stderr).to.have.length(1)
        expect(r.stderr).to.match(/^irda: /)
        expect(r.stderr).to.match(message)
        expect(r.stdout).to.equal('')
      })
    }
  })
})
