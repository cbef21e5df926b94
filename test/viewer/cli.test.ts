/*!
 * `irda view` as a user runs it: a pcap file or a live source, the page's address printed, the
 * API answering there, ^C ending it cleanly; one-line errors for what is not a capture.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { readPcap } from '@irdakit/capture'
import { connectRoom, type RoomPort } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { runIrda, stderrLines } from '../cli/run-irda.js'
import { startIrda, type LiveIrda } from '../cli/live-irda.js'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from '../serial/socat.js'
import { writeDemoCapture } from './demo-capture.js'

interface Info { frames: number, done: boolean, live: boolean, lanes: Array<{ id: number, label: string }>, source: string }

const ADDRESS = /irda view: .* at (http:\/\/127\.0\.0\.1:\d+\/)$/

/** The page's address from the command's first line. */
async function address (irda: LiveIrda): Promise<string> {
  const line = await irda.waitFor(l => ADDRESS.test(l), 30_000, 'the viewer\'s address')
  return (ADDRESS.exec(line) as RegExpExecArray)[1]
}

async function info (url: string, until: (i: Info) => boolean = i => i.done): Promise<Info> {
  for (let tries = 0; ; tries++) {
    const i = await (await fetch(url + 'api/info')).json() as Info
    if (until(i) || tries > 200) return i
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('irda view (the command)', function () {
  this.timeout(60_000)
  let dir: string
  let irda: LiveIrda | undefined

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'irda-view-cli-')) })
  afterEach(async () => {
    await irda?.stop('SIGKILL')
    irda = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves a pcap on 127.0.0.1 at the address it prints, until ^C', async () => {
    const capture = await writeDemoCapture(join(dir, 'demo.pcap'))
    irda = startIrda(['view', capture.path])
    const url = await address(irda)
    const i = await info(url)
    expect(i).to.include({ frames: capture.frames, done: true, live: false, source: capture.path })
    // Named from their discovery frames: nickname and device address.
    expect(i.lanes.map(l => l.label.replace(/0x[0-9a-f]{8}/, 'ADDR'))).to.deep.equal(['laptop (ADDR)', 'Aladin Smart (ADDR)'])
    const page = await fetch(url)
    expect(await page.text()).to.contain('<title>irda view</title>')
    const r = await irda.stop('SIGINT')
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stderr).to.contain(`${capture.frames} frames`)
  })

  it('says in one line what is wrong with a file that is not a capture, or a missing source', () => {
    const bad = join(dir, 'bad.pcap')
    writeFileSync(bad, 'hello, not a pcap file at all')
    const r = runIrda(['view', bad])
    expect(r.status).to.equal(2)
    expect(stderrLines(r)).to.deep.equal([`irda: ${bad} is not an IrDA pcap: unknown magic 0x68656c6c`])
    const none = runIrda(['view'])
    expect(none.status).to.equal(2)
    expect(none.stderr).to.match(/nothing to view/)
    const two = runIrda(['view', bad, '--emulator'])
    expect(two.status).to.equal(2)
    expect(two.stderr).to.match(/choose one source/)
  })

  it('--emulator: the demo exchange with the stations\' names as lanes, saved with --pcap', async () => {
    const pcap = join(dir, 'emu.pcap')
    irda = startIrda(['view', '--emulator', '--pcap', pcap])
    const url = await address(irda)
    const i = await info(url)
    expect(i.lanes.map(l => l.label)).to.deep.equal(['laptop', 'divecomputer'])
    expect(i.frames).to.be.greaterThan(20)
    const r = await irda.stop('SIGINT')
    expect(r.code, r.stderr).to.equal(0)
    const saved = readPcap(pcap)
    expect(saved.ok && saved.value.length).to.equal(i.frames)
  })

  it('--room: every station\'s frames, live, by name', async () => {
    const socket = join(dir, 'room.sock')
    const server = startIrda(['room', 'serve', '--socket', socket, '--json'])
    const ports: RoomPort[] = []
    try {
      await server.waitFor(l => l.includes('"listening"'), 15_000, 'room listening')
      irda = startIrda(['view', '--room', socket])
      const url = await address(irda)
      for (const name of ['tester', 'peer']) ports.push(await within(5000, connectRoom(socket, { name }), `join as ${name}`))
      const tester = IrdaStack.create({ port: ports[0], nickname: 'tester', seed: 21 })
      const peer = IrdaStack.create({ port: ports[1], nickname: 'room peer', seed: 22 })
      const found = await within(10_000, tester.discover({ slots: 1 }), 'discovery')
      expect(found.map(d => d.nickname)).to.deep.equal(['room peer'])
      const i = await info(url, x => x.frames >= 3)
      expect(i).to.include({ live: true, done: false, frames: 3 })
      expect(i.lanes.map(l => l.label)).to.deep.equal(['tester', 'peer'])
      await tester.close()
      await peer.close()
      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stderr).to.contain('3 frames')
    } finally {
      for (const p of ports) await p.close().catch(() => {})
      await server.stop('SIGINT')
    }
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

    it('draws a station\'s discovery as it arrives, answering nothing', async () => {
      irda = startIrda(['view', '--port', (pty as PtyPair).b, '--dongle', 'none'])
      const url = await address(irda)
      port = await within(5000, openSerialPort({ path: (pty as PtyPair).a, dongle: 'none' }), 'open the station port')
      const station = IrdaStack.create({ port, nickname: 'sniffed', seed: 11 })
      const found = await within(10_000, station.discover({ slots: 1 }), 'discovery')
      expect(found, 'a passive sniffer must not answer').to.deep.equal([])
      const i = await info(url, x => x.frames >= 2)
      expect(i).to.include({ live: true, frames: 2 })
      expect(i.lanes.map(l => l.label)).to.deep.equal([`sniffed (0x${station.deviceAddress.toString(16).padStart(8, '0')})`])
      await within(5000, station.close(), 'station close')
      const r = await irda.stop('SIGINT')
      expect(r.code, r.stderr).to.equal(0)
    })
  })

  it('removes the temporary pcap of a live source when it ends', async () => {
    const temporary = (): string[] => readdirSync(dir).filter(n => n.startsWith('irda-view-'))
    irda = startIrda(['view', '--emulator'], { TMPDIR: dir })
    await info(await address(irda))
    expect(temporary()).to.have.length(1)
    const r = await irda.stop('SIGINT')
    expect(r.code, r.stderr).to.equal(0)
    expect(temporary()).to.deep.equal([])
  })
})
