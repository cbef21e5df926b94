import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { ptyPair, skipWithoutSocat, type PtyPair } from '../serial/socat.js'
import { IrdaProcess } from './irda-process.js'
import { runIrda, stderrLines, type IrdaRun } from './run-irda.js'
import { testDir } from '../helpers/temp-dir.js'

const dir = testDir('irdakit-cli-demo-link-')

/** The summary line with the throughput: KiB/s, the line rate it is measured against, the ratio in % of the line's byte rate. */
function ratioLine (stdout: string): { kib: number, speed: number, percent: number } {
  const m = /^([\d.]+) KiB\/s both ways at (\d+) bit\/s \(negotiated\): ([\d.]+)% of the line's byte rate \(SIR: 10 bits a byte\)$/m.exec(stdout)
  expect(m, stdout).to.not.equal(null)
  return { kib: Number(m?.[1]), speed: Number(m?.[2]), percent: Number(m?.[3]) }
}

/**
 * `irda demo` with each side in its own process, as two users at two machines run it: on a real
 * medium, in real time. Every wait is bounded; no assertion is about durations.
 */
describe('irda demo on a served room or a serial port (two processes)', function () {
  this.timeout(40_000)

  describe('in a served room', () => {
    const socket = join(dir, 'demo.sock')
    const pcap = join(dir, 'demo-room.pcap')
    let room: IrdaProcess
    let responder: IrdaRun
    let initiator: IrdaRun

    before(async () => {
      room = new IrdaProcess(['room', 'serve', '--socket', socket])
      await room.waitFor(/serving an emulated room on /)
      // The responder offers SIR up to 57600 only: the laptop offers up to 115200 (the room's default), so the link settles below its top speed.
      const dive = new IrdaProcess(['demo', '--room', socket, '--responder', '--once', '--speed', '57600'])
      try {
        await dive.waitFor(/^echoing IrDA:IrCOMM on /m)
        initiator = await new IrdaProcess(['demo', '--room', socket, '--bytes', '3000', '--pcap', pcap]).done()
        responder = await dive.done()
      } finally {
        await dive.stop('SIGKILL')
      }
    })

    after(async () => {
      const run = await room.stop('SIGINT')
      expect(run.status).to.equal(0)
    })

    it('the initiator discovers, asks IAS for IrDA:IrCOMM, connects over TinyTP and gets its 3000 bytes back identical (exit 0)', () => {
      expect(initiator.stderr).to.equal('')
      expect(initiator.status).to.equal(0)
      expect(initiator.stdout).to.match(/laptop > xid:cmd /)
      expect(initiator.stdout).to.match(/< Aladin Smart +xid:rsp .* "Aladin Smart"/)
      expect(initiator.stdout).to.match(/ias: GetValueByClass "IrDA:IrCOMM" "IrDA:TinyTP:LsapSel"/)
      expect(initiator.stdout).to.match(/ttp: connect credit=\d+/)
      expect(initiator.stdout).to.match(/^found "Aladin Smart" at 0x[0-9a-f]{8}, IrDA:IrCOMM echo on LSAP 0x[0-9a-f]+ \(from IAS\)$/m)
      expect(initiator.stdout).to.match(/^echoed 3000 bytes \(generated\) in [\d.]+ ms on room .*demo\.sock: identical$/m)
      expect(initiator.stdout).to.match(/^\d+ frames, \d+ retransmissions, \d+ receive errors$/m)
    })

    it('measures the throughput against the speed the link negotiated, not the one it offered', () => {
      // Both sides' UA/SNRM show what was offered; the summary names the speed both could do.
      expect(initiator.stdout).to.match(/snrm:cmd .* baud=2400,9600,19200,38400,57600,115200 /)
      const { kib, speed, percent } = ratioLine(initiator.stdout)
      expect(speed).to.equal(57600)
      expect(percent).to.be.greaterThan(0)
      expect(Math.abs(kib * 1024 / (speed / 10) * 100 - percent)).to.be.lessThan(2) // SIR: 10 bits a byte; the printed numbers round to 0.1
    })

    it('the responder echoes one session, says so, and exits 0 after it', () => {
      expect(responder.stderr).to.equal('')
      expect(responder.status).to.equal(0)
      expect(responder.stdout).to.match(/^echoing IrDA:IrCOMM on room .* as "Aladin Smart" 0x[0-9a-f]{8}, speeds up to 57600 bit\/s, one session$/m)
      expect(responder.stdout).to.match(/^echoed 3000 bytes for 0x[0-9a-f]{8}$/m)
      expect(responder.stdout).to.match(/^1 session, 3000 bytes echoed, \d+ frames \(stopped by once\)$/m)
    })

    it('writes the initiator\'s frames to a pcap tshark decodes cleanly down to IrCOMM', function () {
      requireTshark(this)
      const frames = expectCleanDecode(pcap)
      const protocols = new Set(frames.flatMap(f => f.protocols))
      for (const p of ['irlap', 'irlmp', 'iap', 'ttp', 'ircomm']) expect(protocols, p).to.include(p)
      const frameCount = Number(/^(\d+) frames, /m.exec(initiator.stdout)?.[1])
      expect(frames).to.have.length(frameCount)
    })

    it('says in one line (exit 1) when nobody answers discovery', async () => {
      const r = await new IrdaProcess(['demo', '--room', socket, '--rounds', '1', '--quiet']).done()
      expect(r.status).to.equal(1)
      expect(stderrLines(r)).to.deep.equal([`irda: nobody answered discovery on room ${socket} (1 round); is irda demo --responder running on the other side?`])
    })
  })

  describe('on a serial port pair (socat ptys, dongle none)', () => {
    let pty: PtyPair | undefined
    const running: IrdaProcess[] = []

    beforeEach(async function () {
      skipWithoutSocat(this)
      pty = await ptyPair()
    })

    afterEach(async () => {
      for (const p of running.splice(0)) await p.stop('SIGKILL')
      pty?.kill()
      pty = undefined
    })

    it('runs the whole demo between --responder --once on one end and the initiator on the other: exact echo, both exit 0', async () => {
      const file = join(dir, 'payload.bin')
      const data = Buffer.from(Uint8Array.from({ length: 4000 }, (_, i) => (i * 37 + (i >> 7)) & 0xFF))
      writeFileSync(file, data)
      const dive = new IrdaProcess(['demo', '--port', pty!.a, '--dongle', 'none', '--responder', '--once', '--json'])
      running.push(dive)
      await dive.waitFor(/"event":"listening"/)
      const laptop = new IrdaProcess(['demo', '--port', pty!.b, '--dongle', 'none', '--file', file, '--json'])
      running.push(laptop)
      const r = await laptop.done()
      expect(r.stderr).to.equal('')
      expect(r.status).to.equal(0)
      const doc = JSON.parse(r.stdout) as {
        ok: boolean
        options: { medium: string, time: string, source: string }
        summary: { bytes: number, identical: boolean, speed: number, efficiency: number, frames: number, peer: { nickname: string } }
        frames: Array<{ sender: string, direction: string, summary: string }>
      }
      expect(doc.ok).to.equal(true)
      expect(doc.options).to.deep.include({ medium: `${pty!.b} (none)`, time: 'real', source: file })
      expect(doc.summary).to.deep.include({ bytes: 4000, identical: true, speed: 115200 })
      expect(doc.summary.peer.nickname).to.equal('Aladin Smart')
      expect(doc.frames).to.have.length(doc.summary.frames)
      expect(new Set(doc.frames.map(f => f.sender))).to.deep.equal(new Set(['laptop', 'Aladin Smart']))
      expect(doc.frames.some(f => f.summary.includes('ias: GetValueByClass "IrDA:IrCOMM"'))).to.equal(true)

      const served = await dive.done()
      expect(served.status, served.stderr).to.equal(0)
      const events = served.stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
      expect(events.filter(e => e.event === 'session')).to.have.length(1)
      expect(events.find(e => e.event === 'session')).to.deep.include({ bytes: 4000 })
      expect(events[events.length - 1]).to.deep.include({ event: 'summary', sessions: 1, failed: 0, bytes: 4000, stoppedBy: 'once' })
    })
  })

  describe('options that do not fit the medium: one line, exit 2', () => {
    const cases: Array<[string, string[], string]> = [
      ['--responder on the emulator', ['demo', '--responder'], 'irda: --responder needs --port or --room (on the emulator the dive computer is built in)'],
      ['--ber with --port', ['demo', '--ber', '1e-5', '--port', '/dev/irdakit-no-such-tty'], 'irda: --ber applies to the emulated room only, not to --port or --room'],
      ['--real-time with --room', ['demo', '--real-time', '--room', join(dir, 'nobody.sock')], 'irda: --real-time applies to the emulated room only, not to --port or --room'],
      ['--once without --responder', ['demo', '--once', '--room', join(dir, 'nobody.sock')], 'irda: --once applies to --responder only'],
      ['--bytes with --responder', ['demo', '--responder', '--bytes', '10', '--room', join(dir, 'nobody.sock')], 'irda: --bytes does not apply to --responder (it echoes what comes)'],
    ]
    for (const [what, args, line] of cases) {
      it(`rejects ${what}`, () => {
        const r = runIrda(args)
        expect(r.status).to.equal(2)
        expect(stderrLines(r)).to.deep.equal([line])
        expect(r.stdout).to.equal('')
      })
    }
  })
})
