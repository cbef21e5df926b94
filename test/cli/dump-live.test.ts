import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { readPcap } from '@irdakit/capture'
import { sirWrap } from '@irdakit/phy'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connectRoom, type RoomPort } from '@irdakit/emulator'
import { demoBytes, runDemo, type TraceFrame } from '../../packages/cli/src/demo.js'
import { runIrda, stderrLines } from './run-irda.js'
import { jsonEvents, startIrda, type LiveIrda } from './live-irda.js'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from '../serial/socat.js'

interface FrameEvent { event: 'frame', time: number, direction: string, summary: string, speed: number, layers: Array<{ layer: string, fields: Record<string, unknown> }> }

const frameEvents = (lines: string[]): FrameEvent[] => jsonEvents(lines).filter(e => e.event === 'frame') as unknown as FrameEvent[]

describe('irda dump, live', function () {
  this.timeout(20000)
  let irda: LiveIrda | undefined
  let dir: string

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'irdakit-dump-')) })
  afterEach(async () => {
    await irda?.stop('SIGKILL')
    irda = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  describe('--port: a passive sniffer on a serial port (socat ptys)', () => {
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

    const listening = async (args: string[]): Promise<LiveIrda> => {
      const run = startIrda(['dump', '--port', pty!.b, '--dongle', 'none', '--json', ...args])
      await run.waitFor(l => l.includes('"listening"'), 8000, 'listening event')
      return run
    }

    it('decodes a station\'s discovery and TEST frames as they arrive, saves them, and stops on SIGINT with a count', async () => {
      const pcap = join(dir, 'sniffed.pcap')
      irda = await listening(['--pcap', pcap, '--hex'])
      port = await within(3000, openSerialPort({ path: pty!.a, dongle: 'none' }), 'open the station port')
      const station = IrdaStack.create({ port, nickname: 'sniffed', seed: 11 })
      const found = await within(5000, station.discover({ slots: 1 }), 'discovery')
      expect(found, 'a passive sniffer must not answer').to.deep.equal([])
      const echo = await within(5000, station.test({ data: Uint8Array.of(1, 2, 3, 4, 5) }), 'TEST')
      expect(echo.ok, 'nobody echoes a TEST in front of a sniffer').to.equal(false)
      await irda.waitFor(l => l.includes('test:cmd'), 5000, 'TEST frame in the dump')
      await within(5000, station.close(), 'station close')

      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      const frames = frameEvents(r.stdout.split('\n'))
      const xids = frames.filter(f => f.summary.startsWith('xid:cmd'))
      expect(xids.map(f => f.layers[0].fields.source)).to.have.length(2).and.to.satisfy((s: unknown[]) => s.every(a => a === station.deviceAddress))
      expect(xids.map(f => f.layers[0].fields.slot)).to.deep.equal([0, 0xFF])
      expect(xids[1].layers[0].fields.nickname).to.equal('sniffed')
      const test = frames.filter(f => f.summary.startsWith('test:cmd'))
      expect(test.length).to.be.greaterThan(0)
      expect(test[0].layers[0].fields).to.include({ source: station.deviceAddress, dataLength: 5 })
      expect(frames.every(f => f.direction === 'in' && f.speed === 9600)).to.equal(true)
      const summary = jsonEvents(r.stdout.split('\n')).pop()
      expect(summary).to.include({ event: 'summary', stoppedBy: 'SIGINT', frames: frames.length, rxErrors: 0, pcap })
      const saved = readPcap(pcap)
      expect(saved.ok && saved.value.map(rec => Buffer.from(rec.frame).toString('hex'))).to.deep.equal(frames.map(f => (f as unknown as { hex?: string }).hex ?? ''))
    })

    it('follows the link to the speed SNRM and UA agree on, and back to 9600 after the disconnect', async () => {
      // The demo's frames, replayed through the pty one at a time: the sniffer must hear and
      // decode each, and announce each speed change where the stations made it.
      const demo: TraceFrame[] = []
      await runDemo({ speed: 115200, data: demoBytes(32), seed: 5, onFrame: f => demo.push(f) })
      irda = await listening([])
      port = await within(3000, openSerialPort({ path: pty!.a, dongle: 'none' }), 'open the replay port')
      let uas = 0
      for (let i = 0; i < demo.length; i++) {
        port.send(demo[i].frame)
        await irda.waitFor(() => frameEvents(irda!.lines).length > i, 3000, `frame ${i}`)
        // After each UA (link up, link down) the sniffer switches speed: wait until it has.
        if (demo[i].decoded.summary.startsWith('ua:rsp')) {
          uas++
          await irda.waitFor(() => jsonEvents(irda!.lines).filter(e => e.event === 'speed').length === uas, 3000, `speed change ${uas}`)
        }
      }
      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      const events = jsonEvents(r.stdout.split('\n'))
      const frames = events.filter(e => e.event === 'frame') as unknown as FrameEvent[]
      expect(frames.map(f => f.summary)).to.deep.equal(demo.map(f => f.decoded.summary))
      // Each frame was heard at the speed the room says it travelled at.
      expect(frames.map(f => f.speed)).to.deep.equal(demo.map(f => f.speed))
      const speeds = events.filter(e => e.event === 'speed')
      expect(speeds.map(e => [e.bps, e.reason, e.follow])).to.deep.equal([[115200, 'connected', true], [9600, 'disconnected', true]])
      expect(events.pop()).to.include({ event: 'summary', speedChanges: 2, frames: demo.length })
    })

    it('shows and counts receive errors, and still decodes the next good frame (human output)', async () => {
      irda = startIrda(['dump', '--port', pty!.b])
      await within(8000, (async () => { while (!irda!.stderr().includes('listening on')) await new Promise(resolve => setTimeout(resolve, 20)) })(), 'listening note')
      const raw = new SerialPort({ path: pty!.a, baudRate: 9600, autoOpen: false })
      await new Promise<void>((resolve, reject) => raw.open(err => { if (err !== null) reject(err); else resolve() }))
      // Two UI frames; the first has one bit flipped, so its FCS fails.
      const bad = sirWrap(Uint8Array.of(0xFF, 0x13, 1, 2, 3, 4, 5, 6))
      bad[5] ^= 0x40
      raw.write(Buffer.from([...bad, ...sirWrap(Uint8Array.of(0xFF, 0x13, 9, 9, 9, 9))]))
      await irda.waitFor(l => l.includes('ui:cmd'), 5000, 'good frame after the bad one')
      await new Promise<void>(resolve => raw.close(() => resolve()))
      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout).to.match(/^ +\d+\.\d{6} \* receive error: fcs$/m)
      expect(r.stdout).to.match(/^ +\d+\.\d{6} < ui:cmd ca=0x7f pf=1 len=4 /m)
      expect(r.stdout.match(/ < /g)).to.have.length(1)
      expect(r.stdout).to.not.include('\u001b[')
      expect(stderrLines({ status: r.code, stdout: r.stdout, stderr: r.stderr }).pop()).to.equal('1 frames, 1 receive errors (fcs 1)')
    })
  })

  describe('--emulator: the demo exchange as a sniffer shows it', () => {
    it('prints the same frames as irda demo, with the speed changes, then a summary', () => {
      const dump = runIrda(['dump', '--emulator', '--json', '--seed', '2', '--bytes', '100'])
      expect(dump.status, dump.stderr).to.equal(0)
      const demo = runIrda(['demo', '--json', '--seed', '2', '--bytes', '100', '--speed', '115200'])
      const demoFrames = (JSON.parse(demo.stdout) as { frames: Array<{ summary: string }> }).frames
      const events = jsonEvents(dump.stdout.trimEnd().split('\n'))
      expect(events[0]).to.include({ event: 'listening', emulator: true, speed: 115200 })
      const frames = events.filter(e => e.event === 'frame') as unknown as FrameEvent[]
      expect(frames.map(f => f.summary)).to.deep.equal(demoFrames.map(f => f.summary))
      const ua = events.findIndex(e => e.event === 'frame' && String(e.summary).startsWith('ua:rsp') && String(e.summary).includes('baud='))
      expect(events[ua + 1]).to.include({ event: 'speed', bps: 115200, reason: 'connected' })
      expect(events.filter(e => e.event === 'speed').map(e => e.bps)).to.deep.equal([115200, 9600])
      expect(events[events.length - 1]).to.include({ event: 'summary', frames: frames.length, identical: true, echoed: 100, speedChanges: 2 })
    })

    it('writes a pcap that irda dump reads back to the same frames, directions and decodes', () => {
      const pcap = join(dir, 'emulated.pcap')
      const human = runIrda(['dump', '--emulator', '--pcap', pcap])
      expect(human.status, human.stderr).to.equal(0)
      expect(human.stderr).to.match(/^\d+ frames, 0 lost or damaged, 2 speed changes; 256 bytes echoed intact; saved to /m)
      expect(human.stdout).to.match(/^ +\d+\.\d{6} > laptop +xid:cmd 0x[0-9a-f]{8} > 0xffffffff S=6 s=0$/m)
      expect(human.stdout).to.match(/^ +\d+\.\d{6} \* speed 115200 bit\/s \(connected\)$/m)
      const live = frameEvents(runIrda(['dump', '--emulator', '--json', '--pcap', pcap]).stdout.split('\n'))
      const back = JSON.parse(runIrda(['dump', pcap, '--json']).stdout) as { records: Array<{ summary: string, direction: string }> }
      expect(live.length).to.be.greaterThan(20)
      expect(back.records.map(r => [r.direction, r.summary])).to.deep.equal(live.map(f => [f.direction, f.summary]))
    })
  })

  describe('--room: live from a room served by irda room serve', () => {
    it('shows every station\'s frames with its name, from one station\'s point of view, and saves them', async () => {
      const socket = join(dir, 'room.sock')
      const pcap = join(dir, 'room.pcap')
      const server = startIrda(['room', 'serve', '--socket', socket, '--json'])
      const ports: RoomPort[] = []
      try {
        await server.waitFor(l => l.includes('"listening"'), 8000, 'room listening')
        irda = startIrda(['dump', '--room', socket, '--perspective', 'tester', '--pcap', pcap, '--json'])
        await irda.waitFor(l => l.includes('"listening"'), 8000, 'dump listening')
        for (const name of ['tester', 'peer']) ports.push(await within(3000, connectRoom(socket, { name }), `join as ${name}`))
        const tester = IrdaStack.create({ port: ports[0], nickname: 'tester', seed: 21 })
        const peer = IrdaStack.create({ port: ports[1], nickname: 'room peer', seed: 22 })
        const found = await within(5000, tester.discover({ slots: 1 }), 'discovery')
        expect(found.map(d => d.nickname)).to.deep.equal(['room peer'])
        await irda.waitFor(l => l.includes('s=255'), 5000, 'final slot in the dump')
        await tester.close()
        await peer.close()

        const r = await irda.stop('SIGINT')
        expect(r.code, r.stderr).to.equal(0)
        const frames = frameEvents(r.stdout.split('\n')) as Array<FrameEvent & { sender: string }>
        expect(frames.map(f => [f.sender, f.direction, f.summary.split(' ')[0]])).to.deep.equal([
          ['tester', 'out', 'xid:cmd'], ['peer', 'in', 'xid:rsp'], ['tester', 'out', 'xid:cmd'],
        ])
        expect(frames[0].layers[0].fields.source).to.equal(tester.deviceAddress)
        expect(frames[1].layers[0].fields).to.include({ source: peer.deviceAddress, nickname: 'room peer' })
        expect(jsonEvents(r.stdout.split('\n')).pop()).to.include({ event: 'summary', stoppedBy: 'SIGINT', frames: 3, lost: 0, pcap })
        const saved = readPcap(pcap, { epochMs: 0 })
        expect(saved.ok && saved.value.map(rec => rec.direction)).to.deep.equal(['out', 'in', 'out'])
        // Wall-clock timestamps: the frames were sent within the last minute.
        expect(saved.ok && Math.abs(saved.value[0].timestampMs - Date.now())).to.be.lessThan(60_000)
      } finally {
        for (const p of ports) await p.close().catch(() => {})
        await server.stop('SIGINT')
      }
    })
  })

  describe('bad arguments and missing devices: one line, exit 2', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['no source at all', ['dump'], /nothing to dump/],
      ['two sources', ['dump', 'x.pcap', '--emulator'], /choose one source/],
      ['a port that does not exist', ['dump', '--port', '/dev/irdakit-no-such-tty'], /cannot open \/dev\/irdakit-no-such-tty/],
      ['an unknown dongle', ['dump', '--port', '/dev/irdakit-no-such-tty', '--dongle', 'no-such-dongle'], /no-such-dongle/],
      ['a speed the dongle lacks', ['dump', '--port', '/dev/irdakit-no-such-tty', '--speed', '4000000'], /4000000/],
      ['a room nobody serves', ['dump', '--room', '/tmp/irdakit-no-such-room.sock'], /cannot watch the room: .*no room is served there/],
    ]
    for (const [what, args, message] of cases) {
      it(what, () => {
        const r = runIrda(args, { timeoutMs: 15000 })
        expect(r.status).to.equal(2)
        expect(stderrLines(r)).to.have.length(1)
        expect(r.stderr).to.match(message)
      })
    }
  })
})
