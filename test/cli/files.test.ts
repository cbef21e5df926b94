import { expect } from 'chai'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { IrdaProcess } from './irda-process.js'
import { runIrda, stderrLines, type IrdaRun } from './run-irda.js'
import { testDir } from '../helpers/temp-dir.js'

const dir = testDir('irdakit-cli-files-')
let n = 0
const fresh = (name: string): string => { const d = join(dir, `${name}-${++n}`); mkdirSync(d); return d }
const payload = (size: number, seed: number): Buffer => Buffer.from(Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xFF))
const crcHex = (b: Uint8Array): string => (crc32(b) >>> 0).toString(16).padStart(8, '0')
/** A command that must not block this process's event loop while background commands print. */
const runAsync = async (args: string[]): Promise<IrdaRun> => await new IrdaProcess(args).done()

describe('irda serve / send / recv (files over IrSock)', function () {
  this.timeout(60_000)

  describe('between processes in a served room', () => {
    let socket: string
    let room: IrdaProcess
    before(async () => {
      socket = join(dir, 'files.sock')
      room = new IrdaProcess(['room', 'serve', '--socket', socket, '--json'])
      await room.waitFor(/"event":"listening"/)
    })
    after(async () => {
      const run = await room.stop()
      expect(run.status).to.equal(0)
      const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { event: string, badInput: number }
      expect(summary).to.deep.include({ event: 'summary', badInput: 0 })
    })

    it('send pushes a file that arrives byte for byte, confirmed by count and CRC', async () => {
      const src = join(fresh('src'), 'notes.bin')
      const data = payload(3000, 1)
      writeFileSync(src, data)
      const inbox = fresh('inbox')
      const server = new IrdaProcess(['serve', 'files', '--room', socket, '--once', '--dir', inbox, '--json'])
      await server.waitFor(/"event":"listening"/)
      const sent = await runAsync(['send', src, '--room', socket, '--service', 'files', '--json'])
      expect(sent.stderr).to.equal('')
      expect(sent.status).to.equal(0)
      const doc = JSON.parse(sent.stdout) as Record<string, unknown>
      expect(doc).to.deep.include({ command: 'send', ok: true, name: 'notes.bin', bytes: 3000, crc32: crcHex(data), storedAs: join(inbox, 'notes.bin') })
      expect(doc.seconds).to.be.a('number').greaterThan(0)
      expect(doc.bytesPerSecond).to.be.a('number').greaterThan(0)

      const served = await server.done()
      expect(served.status).to.equal(0)
      expect(Buffer.compare(readFileSync(join(inbox, 'notes.bin')), data)).to.equal(0)
      const transfer = served.stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>).find(e => e.event === 'transfer')
      expect(transfer).to.deep.include({ direction: 'in', ok: true, name: 'notes.bin', bytes: 3000, crc32: crcHex(data) })
    })

    it('recv pulls the file serve --file offers, byte for byte', async () => {
      const src = join(fresh('offer'), 'firmware.img')
      const data = payload(2500, 2)
      writeFileSync(src, data)
      const server = new IrdaProcess(['serve', 'files', '--room', socket, '--once', '--file', src])
      await server.waitFor(/offering firmware\.img/)
      const out = fresh('download')
      const got = await runAsync(['recv', '--room', socket, '--service', 'files', '--out', out])
      expect(got.stderr).to.equal('')
      expect(got.status).to.equal(0)
      expect(got.stdout).to.match(/^received firmware\.img: 2500 bytes from 0x[0-9a-f]{8} \(files\) in [\d.]+ s, \d+ B\/s -> /)
      // eslint-disable-next-line no-control-regex
      expect(got.stdout).to.not.match(/\u001b\[|\r/)
      expect(Buffer.compare(readFileSync(join(out, 'firmware.img')), data)).to.equal(0)
      const served = await server.done()
      expect(served.status).to.equal(0)
      expect(served.stdout).to.match(/sent firmware\.img to 0x[0-9a-f]{8}: 2500 bytes/)
    })

    it('a service nobody offers: exit 1 and one line; a refused file: exit 1 and the receiver\'s reason', async () => {
      const src = join(fresh('src'), 'dup.bin')
      writeFileSync(src, payload(100, 3))
      const inbox = fresh('inbox')
      writeFileSync(join(inbox, 'dup.bin'), 'already here')
      const server = new IrdaProcess(['serve', 'files', '--room', socket, '--once', '--dir', inbox])
      await server.waitFor(/serving files/)

      const nobody = await runAsync(['send', src, '--room', socket, '--service', 'nobody-offers-this'])
      expect(nobody.status).to.equal(1)
      expect(stderrLines(nobody)).to.deep.equal(['irda: connect WSAECONNREFUSED: no device offers nobody-offers-this'])

      const refused = await runAsync(['send', src, '--room', socket, '--service', 'files'])
      expect(refused.status).to.equal(1)
      expect(stderrLines(refused)).to.have.length(1)
      expect(stderrLines(refused)[0]).to.match(/^irda: 0x[0-9a-f]{8} did not take dup\.bin: .*dup\.bin already exists$/)
      expect(readFileSync(join(inbox, 'dup.bin'), 'utf8')).to.equal('already here')
      const served = await server.done()
      expect(served.status).to.equal(1)
      expect(served.stdout).to.match(/refused "dup\.bin" from 0x[0-9a-f]{8}: .*already exists/)
    })
  })

  it('a room that dies under a transfer: send ends with exit 1 and one line, nothing hangs', async () => {
    const socket = join(dir, 'dying.sock')
    const room = new IrdaProcess(['room', 'serve', '--socket', socket, '--json'])
    await room.waitFor(/"event":"listening"/)
    const src = join(fresh('src'), 'big.bin')
    writeFileSync(src, payload(60_000, 5))
    const server = new IrdaProcess(['serve', 'files', '--room', socket, '--once', '--dir', fresh('inbox')])
    try {
      await server.waitFor(/serving files/)
      const sender = new IrdaProcess(['send', src, '--room', socket, '--service', 'files'])
      // The sender joins, discovers, connects, then 60 kB take seconds at 115200 b/s: kill the room meanwhile.
      await room.waitFor(/"event":"join","time":[\d.]+,"station":"send-/)
      await new Promise(resolve => { setTimeout(resolve, 3000) })
      await room.stop('SIGKILL')
      const sent = await sender.done()
      expect(sent.status).to.equal(1)
      expect(stderrLines(sent)).to.have.length(1)
      expect(stderrLines(sent)[0]).to.match(/^irda: sending big\.bin to 0x[0-9a-f]{8} failed: .*link/)
      const served = await server.done()
      expect(served.status).to.equal(1)
    } finally {
      await server.stop('SIGKILL')
    }
  })

  describe('in the emulator (the other side in-process, virtual time)', () => {
    it('send, recv and serve each complete a real transfer', () => {
      const src = join(fresh('src'), 'hello.txt')
      writeFileSync(src, 'hello over infrared\n'.repeat(50))
      const sent = runIrda(['send', src, '--json'])
      expect(sent.status, sent.stderr).to.equal(0)
      expect(JSON.parse(sent.stdout)).to.deep.include({ ok: true, medium: 'emulator', bytes: 1000, crc32: crcHex(readFileSync(src)), storedAs: 'memory:hello.txt' })

      const out = join(fresh('download'), 'x.bin')
      const got = runIrda(['recv', '--out', out, '--json'])
      expect(got.status, got.stderr).to.equal(0)
      const doc = JSON.parse(got.stdout) as { bytes: number, crc32: string, path: string }
      expect(doc.path).to.equal(out)
      expect(doc.bytes).to.equal(4096)
      expect(doc.crc32).to.equal(crcHex(readFileSync(out)))

      const inbox = fresh('inbox')
      const served = runIrda(['serve', '--dir', inbox])
      expect(served.status, served.stderr).to.equal(0)
      expect(served.stdout).to.match(/received emulated\.bin from 0x[0-9a-f]{8}: 4096 bytes/)
      expect(readFileSync(join(inbox, 'emulated.bin'))).to.deep.equal(readFileSync(out))
    })

    it('same seed, same run: the emulated transfer repeats exactly', () => {
      const src = join(fresh('src'), 'seeded.bin')
      writeFileSync(src, payload(2000, 4))
      const a = JSON.parse(runIrda(['send', src, '--json', '--seed', '5']).stdout) as { seconds: number, peer: string }
      const b = JSON.parse(runIrda(['send', src, '--json', '--seed', '5']).stdout) as { seconds: number, peer: string }
      expect(a.seconds).to.be.greaterThan(0)
      expect(b).to.deep.include({ seconds: a.seconds, peer: a.peer })
    })
  })

  describe('user errors: one line, exit 2', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['a missing file', ['send', join(dir, 'no-such-file.bin')], /^irda: cannot read .*no-such-file\.bin: ENOENT$/],
      ['a --dir that is not a directory', ['serve', '--dir', join(dir, 'nope')], /^irda: --dir .*nope is not a directory$/],
      ['a missing --file to offer', ['serve', '--file', join(dir, 'nope.bin')], /^irda: cannot read --file .*nope\.bin: ENOENT$/],
      ['a bad device address', ['recv', '--device', 'kitchen'], /^irda: option '--device <address>' argument 'kitchen' is invalid/],
      ['a bad speed', ['send', 'package.json', '--speed', '12345'], /^irda: option '--speed <bps>' argument '12345' is invalid/],
      ['two media', ['recv', '--emulator', '--room', '/tmp/x.sock'], /^irda: choose one of --emulator, --room and --port, not --emulator and --room$/],
    ]
    for (const [what, args, re] of cases) {
      it(what, () => {
        const r = runIrda(args)
        expect(r.status).to.equal(2)
        expect(stderrLines(r)).to.have.length(1)
        expect(stderrLines(r)[0]).to.match(re)
        expect(r.stdout).to.equal('')
      })
    }
  })
})
