/*!
 * `irda extcap` as Wireshark drives it, without Wireshark: the answers to each query, the
 * install and uninstall of the entry, and a capture into a fifo we read ourselves (how it starts,
 * what it writes, and how it stops).
 */
import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodePcap, LINKTYPE_LINUX_IRDA } from '@irdakit/capture'
import { connectRoom, serveRoom, type RoomPort, type RoomServer, type RoomServerEvent } from '@irdakit/emulator'
import { personalExtcapDir, extcapEntryScript, EXTCAP_MARK } from '../../packages/cli/src/extcap-install.js'
import { runIrda, stderrLines } from '../cli/run-irda.js'
import { inflateSync } from 'node:zlib'
import { xwdToPng } from './xwd-png.js'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from '../serial/socat.js'
import { IrdaProcess } from '../cli/irda-process.js'

const dir = mkdtempSync(join(tmpdir(), 'irdakit-extcap-'))
let n = 0
const fresh = (name: string): string => join(dir, `${++n}-${name}`)
const version = (JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string }).version

function mkfifo (path: string): string {
  const r = spawnSync('mkfifo', [path])
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr.toString()}`)
  return path
}

/** Reads the fifo as dumpcap does: opens it, collects bytes; `close()` drops our end early. */
function readFifo (path: string): { bytes: () => Buffer, ended: Promise<void>, close: () => void } {
  const chunks: Buffer[] = []
  const s = createReadStream(path)
  s.on('data', (c: Buffer | string) => { chunks.push(Buffer.from(c)) })
  const ended = new Promise<void>(resolve => { s.once('close', () => { resolve() }) })
  s.on('error', () => {})
  return { bytes: () => Buffer.concat(chunks), ended, close: () => { s.destroy() } }
}

async function until (cond: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 25) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => { setTimeout(resolve, 25) })
  }
}

after(() => { rmSync(dir, { recursive: true, force: true }) })

describe('irda extcap: the queries Wireshark makes', function () {
  this.timeout(60_000)

  it('--extcap-interfaces: the version line, then the room and the dongle', () => {
    const r = runIrda(['extcap', '--extcap-interfaces', '--extcap-version=4.0'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout.trimEnd().split('\n')).to.deep.equal([
      `extcap {version=${version}}{display=irdakit: IrDA from an emulated room or a dongle}`,
      'interface {value=irdakit-room}{display=irdakit: emulated IR room (irda room serve)}',
      'interface {value=irdakit-dongle}{display=irdakit: IrDA dongle on a serial port (passive)}',
    ])
  })

  it('--extcap-dlts: link type 144 for both interfaces', () => {
    for (const iface of ['irdakit-room', 'irdakit-dongle']) {
      const r = runIrda(['extcap', '--extcap-interface', iface, '--extcap-dlts'])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stdout).to.equal(`dlt {number=${LINKTYPE_LINUX_IRDA}}{name=LINUX_IRDA}{display=IrDA (Linux IrDA pseudo-header)}\n`)
    }
  })

  it('--extcap-config: the room socket (defaulting to where irda room serve listens) and the dongle options', () => {
    const runtime = fresh('run')
    const room = runIrda(['extcap', '--extcap-interface', 'irdakit-room', '--extcap-config'], { env: { XDG_RUNTIME_DIR: runtime } })
    expect(room.status, room.stderr).to.equal(0)
    const lines = room.stdout.trimEnd().split('\n')
    expect(lines).to.have.length(2)
    expect(lines[0]).to.match(/^arg \{number=0\}\{call=--room\}\{display=Room socket\}\{type=string\}\{required=true\}/)
    expect(lines[0]).to.include(`{default=${join(runtime, 'irdakit-room.sock')}}`)
    expect(lines[1]).to.match(/^arg \{number=1\}\{call=--perspective\}/)

    const dongle = runIrda(['extcap', '--extcap-interface', 'irdakit-dongle', '--extcap-config'])
    expect(dongle.status, dongle.stderr).to.equal(0)
    const args = dongle.stdout.split('\n').filter(l => l.startsWith('arg '))
    expect(args.map(l => /\{call=([^}]*)\}/.exec(l)?.[1])).to.deep.equal(['--port', '--dongle', '--speed', '--no-follow', '--usb'])
    // A serial port or a USB dongle: neither is required on its own.
    expect(args.filter(l => l.includes('{required=true}'))).to.deep.equal([])
    const values = (arg: number): string[] => dongle.stdout.split('\n').filter(l => l.startsWith(`value {arg=${arg}}`))
    expect(values(1).some(l => l === 'value {arg=1}{value=tekram}{display=tekram}')).to.equal(true)
    expect(values(1).filter(l => l.endsWith('{default=true}'))).to.deep.equal(['value {arg=1}{value=none}{display=none}{default=true}'])
    expect(values(2).map(l => /\{value=(\d+)\}/.exec(l)?.[1])).to.deep.equal(['2400', '9600', '19200', '38400', '57600', '115200'])
  })

  it('--extcap-capture-filter: an empty filter passes, any other is refused with the reason on stdout', () => {
    const ok = runIrda(['extcap', '--extcap-interface', 'irdakit-room', '--extcap-capture-filter', ''])
    expect([ok.status, ok.stdout]).to.deep.equal([0, ''])
    const bad = runIrda(['extcap', '--extcap-interface', 'irdakit-room', '--extcap-capture-filter', 'tcp port 80'])
    expect(bad.status).to.equal(1)
    expect(bad.stdout).to.match(/^irdakit captures take no capture filter/)
  })

  it('an unknown interface, a missing one and no query at all are one-line errors (exit 2)', () => {
    const unknown = runIrda(['extcap', '--extcap-interface', 'eth0', '--extcap-dlts'])
    expect([unknown.status, stderrLines(unknown)]).to.deep.equal([2, ['irda: unknown extcap interface eth0: irdakit-room or irdakit-dongle']])
    const missing = runIrda(['extcap', '--extcap-config'])
    expect([missing.status, stderrLines(missing)]).to.deep.equal([2, ['irda: --extcap-interface is needed: irdakit-room or irdakit-dongle']])
    const nothing = runIrda(['extcap'])
    expect(nothing.status).to.equal(2)
    expect(stderrLines(nothing)[0]).to.match(/^irda: nothing to do: irda extcap is called by Wireshark/)
  })
})

describe('irda extcap --install / --uninstall', function () {
  this.timeout(60_000)

  it('picks the personal extcap folder the Wireshark version reads', () => {
    const home = fresh('home')
    const env = { HOME: home }
    expect(personalExtcapDir({ major: 4, minor: 2, patch: 0, text: '4.2.0' }, env)).to.equal(join(home, '.local/lib/wireshark/extcap'))
    expect(personalExtcapDir({ major: 5, minor: 0, patch: 1, text: '5.0.1' }, env)).to.equal(join(home, '.local/lib/wireshark/extcap'))
    expect(personalExtcapDir(undefined, env)).to.equal(join(home, '.local/lib/wireshark/extcap'))
    const v40 = { major: 4, minor: 0, patch: 17, text: '4.0.17' }
    expect(personalExtcapDir(v40, env)).to.equal(join(home, '.config/wireshark/extcap'))
    expect(personalExtcapDir(v40, { ...env, XDG_CONFIG_HOME: '/x/conf' })).to.equal('/x/conf/wireshark/extcap')
    expect(personalExtcapDir(v40, { ...env, WIRESHARK_CONFIG_DIR: '/x/ws' })).to.equal('/x/ws/extcap')
    rmSync(home, { recursive: true, force: true })
  })

  it('writes an executable entry that runs this irda from any directory, and removes it again', () => {
    const folder = fresh('extcap')
    const inst = runIrda(['extcap', '--install', '--dir', folder])
    expect(inst.status, inst.stderr).to.equal(0)
    const entry = join(folder, 'irdakit')
    expect(inst.stdout.split('\n')[0]).to.equal(`installed ${entry}`)
    expect(statSync(entry).mode & 0o111).to.equal(0o111)
    expect(readFileSync(entry, 'utf8')).to.include(EXTCAP_MARK)
    // Wireshark starts it from its own directory, with only its own arguments.
    const asked = spawnSync(entry, ['--extcap-interfaces', '--extcap-version=4.0'], { cwd: '/', encoding: 'utf8', timeout: 60_000 })
    expect(asked.status, asked.stderr).to.equal(0)
    expect(asked.stdout).to.match(/^extcap \{version=/)
    expect(asked.stdout).to.include('interface {value=irdakit-room}')

    const again = runIrda(['extcap', '--install', '--dir', folder, '--json'])
    expect(JSON.parse(again.stdout)).to.deep.include({ command: 'extcap', installed: entry, replaced: true })
    const un = runIrda(['extcap', '--uninstall', '--dir', folder])
    expect([un.status, un.stdout]).to.deep.equal([0, `removed ${entry}\n`])
    expect(existsSync(entry)).to.equal(false)
  })

  it('never overwrites nor removes an entry that is not ours', () => {
    const folder = fresh('foreign')
    runIrda(['extcap', '--install', '--dir', folder])
    const entry = join(folder, 'irdakit')
    writeFileSync(entry, '#!/bin/sh\necho someone else\n')
    const inst = runIrda(['extcap', '--install', '--dir', folder])
    expect([inst.status, stderrLines(inst)]).to.deep.equal([2, [`irda: ${entry} exists and is not an irdakit entry; move it away first`]])
    const un = runIrda(['extcap', '--uninstall', '--dir', folder])
    expect([un.status, stderrLines(un)]).to.deep.equal([2, [`irda: ${entry} is not an irdakit entry; left alone`]])
    expect(readFileSync(entry, 'utf8')).to.equal('#!/bin/sh\necho someone else\n')
  })

  it('quotes paths with spaces and quotes for sh', () => {
    const script = extcapEntryScript(['/opt/my node/node', "/home/o'brien/irda.js"])
    expect(script.split('\n')[2]).to.equal(`exec '/opt/my node/node' '/home/o'\\''brien/irda.js' extcap "$@"`)
  })
})

describe('irda extcap --capture into a fifo', function () {
  this.timeout(90_000)
  let server: RoomServer
  let events: RoomServerEvent[]
  let station: RoomPort
  let sender: ReturnType<typeof setInterval> | undefined
  // A UI frame on the broadcast address, sent every 50 ms so the capture always has traffic.
  const UI = Uint8Array.from([0xFF, 0x03, 0x01, 0x02, 0x03])

  beforeEach(async () => {
    events = []
    server = await serveRoom({ path: fresh('room.sock'), seed: 1, onEvent: e => { events.push(e) } })
    station = await connectRoom(server.address, { name: 'beacon', supportedSpeeds: [9600] })
  })
  afterEach(async () => {
    clearInterval(sender)
    await station.close()
    await server.close()
  })
  const beacon = (): void => { sender = setInterval(() => { station.send(UI, { xbofs: 10 }) }, 50) }

  it('writes a pcap of link type 144 live, frame by frame, and ends with exit 0 on SIGTERM', async () => {
    const fifo = mkfifo(fresh('cap.fifo'))
    const cap = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-room', '--fifo', fifo, '--room', server.address, '--perspective', 'beacon'])
    const reader = readFifo(fifo)
    await until(() => events.some(e => e.type === 'watch'), 'the capture to watch the room')
    beacon()
    // Records arrive while the capture runs, not at its end.
    await until(() => reader.bytes().length >= 24 + 3 * (16 + 16 + UI.length), 'three records in the fifo')
    const run = await cap.stop('SIGTERM')
    expect([run.status, run.stderr]).to.deep.equal([0, ''])
    await reader.ended
    const pcap = decodePcap(new Uint8Array(reader.bytes()))
    if (!pcap.ok) throw pcap.error
    expect(pcap.value.length).to.be.greaterThanOrEqual(3)
    for (const rec of pcap.value) expect([rec.direction, Buffer.from(rec.frame).toString('hex')]).to.deep.equal(['out', Buffer.from(UI).toString('hex')])
  })

  it('stops by itself, exit 0, when the reader closes the fifo', async () => {
    const fifo = mkfifo(fresh('close.fifo'))
    const cap = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-room', '--fifo', fifo, '--room', server.address])
    const reader = readFifo(fifo)
    await until(() => events.some(e => e.type === 'watch'), 'the capture to watch the room')
    beacon()
    await until(() => reader.bytes().length > 24, 'a record in the fifo')
    reader.close()
    const run = await cap.done()
    expect([run.status, run.stderr]).to.deep.equal([0, ''])
    await until(() => events.some(e => e.type === 'unwatch'), 'the watcher to leave the room')
  })

  it('opens the fifo before it fails, so Wireshark is never left waiting, and says why in one line (exit 1)', async () => {
    const fifo = mkfifo(fresh('fail.fifo'))
    const nobody = fresh('nobody.sock')
    const cap = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-room', '--fifo', fifo, '--room', nobody])
    const reader = readFifo(fifo)
    const run = await cap.done()
    await reader.ended
    expect(run.status).to.equal(1)
    expect(stderrLines(run)).to.deep.equal([`irda: cannot watch the room: room ${nobody}: no room is served there (ENOENT)`])
    expect(reader.bytes().length).to.equal(24) // the pcap header only

    const fifo2 = mkfifo(fresh('fail2.fifo'))
    const noPort = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-dongle', '--fifo', fifo2])
    const reader2 = readFifo(fifo2)
    const run2 = await noPort.done()
    await reader2.ended
    expect([run2.status, stderrLines(run2)]).to.deep.equal([1, ['irda: irdakit-dongle needs --port <path> or --usb <vid:pid|index>, one of them (tshark: -o extcap.irdakit_dongle.port:/dev/ttyUSB0 or -o extcap.irdakit_dongle.usb:9710:7780)']])

    const fifo3 = mkfifo(fresh('fail3.fifo'))
    const noUsb = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-dongle', '--fifo', fifo3, '--usb', 'ffff:fffe'])
    const reader3 = readFifo(fifo3)
    const run3 = await noUsb.done()
    await reader3.ended
    expect(run3.status).to.equal(1)
    expect(stderrLines(run3)).to.have.length(1)
    expect(stderrLines(run3)[0]).to.match(/^irda: cannot open USB dongle ffff:fffe: /)
    expect(reader3.bytes().length).to.equal(24) // the pcap header only
  })
})

describe('irda extcap --capture from a dongle (socat ptys)', function () {
  this.timeout(90_000)
  let pty: PtyPair | undefined
  beforeEach(async function () {
    skipWithoutSocat(this)
    pty = await ptyPair()
  })
  afterEach(() => { pty?.kill() })

  it('sniffs a station\'s frames on the serial port into the fifo, all incoming, and stops on SIGTERM', async () => {
    const fifo = mkfifo(fresh('dongle.fifo'))
    const cap = new IrdaProcess(['extcap', '--capture', '--extcap-interface', 'irdakit-dongle', '--fifo', fifo, '--port', pty!.b, '--dongle', 'none', '--speed', '9600'])
    const reader = readFifo(fifo)
    await until(() => reader.bytes().length >= 24, 'the pcap header')
    const port = await within(3000, openSerialPort({ path: pty!.a, dongle: 'none' }), 'open the station port')
    const station = IrdaStack.create({ port, nickname: 'sniffed', seed: 3 })
    try {
      // Discoveries until the sniffer has heard one whole (it opens its port after the fifo).
      for (let round = 0; reader.bytes().length <= 24 + 2 * 32; round++) {
        if (round === 20) throw new Error('the sniffer heard no discovery in 20 rounds')
        expect(await within(10_000, station.discover({ slots: 1 }), 'discovery'), 'a passive sniffer must not answer').to.deep.equal([])
      }
    } finally {
      await within(5000, station.close(), 'station close')
    }
    const run = await cap.stop('SIGTERM')
    expect([run.status, run.stderr]).to.deep.equal([0, ''])
    await reader.ended
    const pcap = decodePcap(new Uint8Array(reader.bytes()))
    if (!pcap.ok) throw pcap.error
    const xids = pcap.value.filter(r => r.frame[0] === 0xFF && (r.frame[1] & 0xEF) === 0x2F)
    expect(xids.length).to.be.greaterThanOrEqual(2)
    expect(pcap.value.every(r => r.direction === 'in')).to.equal(true)
  })
})

describe('the screenshot script\'s XWD to PNG', () => {
  it('turns a 32-bit ZPixmap dump (as Xvfb gives) into an RGB PNG with the same pixels', () => {
    // Header: 25 big-endian CARD32, no window name, no colours; then 2x1 pixels, LSB first.
    const header = [100, 7, 2, 24, 2, 1, 0, 0, 32, 0, 32, 32, 8, 4, 0xFF0000, 0xFF00, 0xFF, 8, 256, 0, 2, 1, 0, 0, 0]
    const xwd = Buffer.alloc(100 + 8)
    header.forEach((v, i) => xwd.writeUInt32BE(v, i * 4))
    xwd.writeUInt32LE(0xFF2010, 100) // r=ff g=20 b=10
    xwd.writeUInt32LE(0x0000FE, 104) // blue
    const png = Buffer.from(xwdToPng(xwd))
    expect(png.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a')
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).to.deep.equal([2, 1, 8, 2]) // 2x1, 8-bit RGB
    const idatLen = png.readUInt32BE(33)
    expect(png.subarray(37, 41).toString('latin1')).to.equal('IDAT')
    expect([...inflateSync(png.subarray(41, 41 + idatLen))]).to.deep.equal([0, 0xFF, 0x20, 0x10, 0, 0, 0xFE])
    expect(png.subarray(-12).toString('hex')).to.equal('0000000049454e44ae426082') // IEND with its well-known CRC
  })
})
