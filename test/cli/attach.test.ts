import { expect } from 'chai'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connectRoom } from '@irdakit/emulator'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseHints } from '../../packages/cli/src/commands/attach.js'
import { runIrda, stderrLines } from './run-irda.js'
import { jsonEvents, startIrda, type LiveIrda } from './live-irda.js'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from '../serial/socat.js'

/**
 * `irda attach` as a user runs it: spawned, stopped with a signal. Real time (a real pty or a
 * real-time room), so every wait is bounded and no assertion is about durations.
 */
describe('irda attach', function () {
  this.timeout(20000)
  let irda: LiveIrda | undefined

  afterEach(async () => {
    await irda?.stop('SIGKILL')
    irda = undefined
  })

  describe('on a serial port (socat ptys)', () => {
    let pty: PtyPair | undefined
    let port: SerialIrdaPort | undefined

    beforeEach(async function () {
      skipWithoutSocat(this)
      pty = await ptyPair()
    })

    afterEach(async () => {
      await port?.close().catch(() => {})
      port = undefined
      pty?.kill()
      pty = undefined
    })

    it('answers discovery and IAS as its nickname, then detaches on SIGINT with a summary (exit 0)', async () => {
      irda = startIrda(['attach', pty!.a, '--dongle', 'none', '--nickname', 'Attached X', '--json'])
      const hello = JSON.parse(await irda.waitFor(l => l.includes('"attached"'), 8000, 'attached event')) as { deviceAddress: string, nickname: string }
      expect(hello.nickname).to.equal('Attached X')

      port = await within(3000, openSerialPort({ path: pty!.b, dongle: 'none' }), 'open the tester port')
      const tester = IrdaStack.create({ port, nickname: 'tester', seed: 7, qos: { speeds: [9600] } })
      const devices = await within(5000, tester.discover({ slots: 1 }), 'discovery')
      expect(devices.map(d => [d.nickname, '0x' + d.deviceAddress.toString(16).padStart(8, '0')])).to.deep.equal([['Attached X', hello.deviceAddress]])
      const ias = await within(5000, tester.iasQuery(devices[0].deviceAddress, 'Device', 'DeviceName'), 'IAS query')
      const name = ias.entries[0]?.value
      expect(name?.type).to.equal('string')
      expect(Buffer.from(name?.type === 'string' ? name.value : []).toString('latin1')).to.equal('Attached X')
      await within(5000, tester.close(), 'tester close')

      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      const events = jsonEvents(r.stdout.trimEnd().split('\n'))
      expect(events.find(e => e.event === 'discovered-by')).to.include({ nickname: 'tester' })
      const summary = events[events.length - 1]
      expect(summary).to.include({ event: 'summary', stoppedBy: 'SIGINT' })
      expect(summary.framesIn).to.be.greaterThan(4)
      expect(summary.framesOut).to.be.greaterThan(4)
      expect((summary.devices as Array<{ nickname: string }>).map(d => d.nickname)).to.deep.equal(['tester'])
    })

    it('reports the device vanishing (exit 1, one line) instead of hanging', async () => {
      // Idle (no --discover): nothing is written, so only the hang-up itself can end it.
      irda = startIrda(['attach', pty!.a, '--nickname', 'X'])
      await irda.waitFor(l => l.startsWith('attached to'), 8000, 'attached line')
      pty!.kill()
      const r = await irda.stop(null, 8000) // no signal: the hang-up alone must end it
      expect(r.code, r.stdout + r.stderr).to.equal(1)
      expect(r.stdout).to.match(/^detached \(.*device vanished.*\): \d+ frames in/m)
      expect(stderrLines({ status: r.code, stdout: r.stdout, stderr: r.stderr })).to.have.length(1)
    })
  })

  describe('in the emulator', () => {
    it('discovers the emulated device, is discovered and queried by it, and summarises on SIGINT', async () => {
      irda = startIrda(['attach', '--emulator', '--nickname', 'host', '--discover', '3', '--json', '--trace'])
      await irda.waitFor(l => l.includes('"device"') && l.includes('Aladin Smart'), 8000, 'device appeared')
      await irda.waitFor(l => l.includes('ias: GetValueByClass success 0:') && l.includes('host'), 8000, 'IAS answer to the peer')
      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      const events = jsonEvents(r.stdout.trimEnd().split('\n'))
      expect(events[0]).to.include({ event: 'attached', port: 'emulator', nickname: 'host' })
      expect(events.find(e => e.event === 'device')).to.include({ change: 'appeared', nickname: 'Aladin Smart', deviceAddress: events.find(e => e.event === 'discovered-by')?.deviceAddress })
      expect(events.find(e => e.event === 'discovered-by')).to.include({ nickname: 'Aladin Smart' })
      const frames = events.filter(e => e.event === 'frame')
      expect(frames.some(f => f.direction === 'in' && String(f.summary).includes('ias: GetValueByClass "Device" "DeviceName"'))).to.equal(true)
      const summary = events[events.length - 1]
      expect(summary).to.include({ event: 'summary', stoppedBy: 'SIGINT', framesIn: frames.filter(f => f.direction === 'in').length })
      expect(summary.discoveries).to.be.greaterThan(0)
    })

    it('prints plain lines without colour when stdout is not a terminal, and detaches on SIGTERM', async () => {
      irda = startIrda(['attach', '--emulator', '--nickname', 'plain', '--trace'], { FORCE_COLOR: '' })
      await irda.waitFor(l => l.includes('discovered by'), 8000, 'discovered-by line')
      const r = await irda.stop('SIGTERM')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout).to.not.include('\u001b[')
      expect(r.stdout).to.match(/^attached to an emulated room as "plain" 0x[0-9a-f]{8}/)
      expect(r.stdout).to.match(/^ +\d+\.\d{6} < xid:cmd 0x[0-9a-f]{8} > 0xffffffff S=6 s=255 "Aladin Smart" hint=01$/m)
      expect(r.stdout).to.match(/^detached \(SIGTERM\): \d+ frames in, \d+ out, 0 receive errors/m)
    })
  })

  describe('in a served room (irda room serve)', () => {
    it('is found and queried by a station in another process, and ends with exit 1 when the room goes away', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'irdakit-attach-'))
      const socket = join(dir, 'room.sock')
      const server = startIrda(['room', 'serve', '--socket', socket, '--json'])
      try {
        await server.waitFor(l => l.includes('"listening"'), 8000, 'room listening')
        irda = startIrda(['attach', '--room', socket, '--nickname', 'in the room', '--json'])
        const hello = JSON.parse(await irda.waitFor(l => l.includes('"attached"'), 8000, 'attached event')) as { port: string }
        expect(hello.port).to.equal(`room ${socket}`)
        const port = await within(3000, connectRoom(socket, { name: 'tester' }), 'join the room')
        const tester = IrdaStack.create({ port, nickname: 'tester', seed: 31 })
        const [found] = await within(5000, tester.discover({ slots: 1 }), 'discovery')
        expect(found?.nickname).to.equal('in the room')
        const ias = await within(5000, tester.iasQuery(found.deviceAddress, 'Device', 'DeviceName'), 'IAS query')
        const name = ias.entries[0]?.value
        expect(Buffer.from(name?.type === 'string' ? name.value : []).toString('latin1')).to.equal('in the room')
        await tester.close()
        await port.close()
        // The room server stops: the attached stack has lost its medium.
        await server.stop('SIGINT')
        const r = await irda.stop(null, 8000)
        expect(r.code, r.stderr).to.equal(1)
        expect(r.stderr.trim().split('\n')).to.have.length(1)
        const summary = jsonEvents(r.stdout.trimEnd().split('\n')).pop()
        expect(summary).to.include({ event: 'summary' })
        expect(String(summary?.stoppedBy)).to.match(/went away|server/)
        expect(summary?.framesIn).to.be.greaterThan(4)
      } finally {
        await server.stop('SIGKILL')
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  describe('bad arguments and missing devices: one line, exit 2', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['no port and no --emulator', ['attach'], /name the serial port/],
      ['a port that does not exist', ['attach', '/dev/irdakit-no-such-tty', '--dongle', 'none'], /cannot open \/dev\/irdakit-no-such-tty/],
      ['an unknown dongle', ['attach', '/dev/irdakit-no-such-tty', '--dongle', 'no-such-dongle'], /no-such-dongle/],
      ['a bad speed', ['attach', '--emulator', '--speed', '12345'], /must be one of/],
      ['two media', ['attach', '/dev/irdakit-no-such-tty', '--emulator'], /choose one of/],
      ['a room nobody serves', ['attach', '--room', '/tmp/irdakit-no-such-room.sock'], /cannot join the room/],
    ]
    for (const [what, args, message] of cases) {
      it(what, () => {
        const r = runIrda(args, { timeoutMs: 15000 })
        expect(r.status).to.equal(2)
        expect(stderrLines(r)).to.have.length(1)
        expect(r.stderr).to.match(message)
        expect(r.stderr).to.not.match(/\n\s+at /)
      })
    }
  })

  it('--hints takes hex bytes or service names', () => {
    expect(parseHints('8404')).to.deep.equal([0x84, 0x04])
    expect(parseHints('0x84,0x04')).to.deep.equal([0x84, 0x04])
    expect(parseHints('computer,ircomm')).to.deep.equal([0x84, 0x04])
    expect(parseHints('PDA/Palmtop')).to.deep.equal([0x02])
    expect(() => parseHints('toaster')).to.throw(/service names/)
  })
})
