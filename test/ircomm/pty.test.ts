/*!
 * `irda comm --pty` with real programs: the pty carries AT commands to the emulated phone,
 * termios changes made on the pty become IrCOMM line settings, and Debian's gammu (connection
 * `at`, device = our pty) identifies the phone and reads its phonebook. socat provides the pty;
 * without socat, or gammu, the tests are pending with the install hint, never passed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { connectRoom } from '@irdakit/emulator'
import { connectIrcomm, emulatePhone } from '@irdakit/ircomm'
import { IrdaStack } from '@irdakit/stack'
import { startIrda, type LiveIrda } from '../cli/live-irda.js'
import { skipWithoutSocat, within } from '../serial/socat.js'

const GAMMU_MISSING = 'gammu not found: install it with `apt-get install -y gammu`'
const haveGammu = (): boolean => spawnSync('gammu', ['--version'], { stdio: 'ignore' }).status === 0

async function run (cmd: string, args: string[], ms: number): Promise<{ code: number | null, out: string }> {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  p.stdout.on('data', (c: Buffer) => { out += c.toString() })
  p.stderr.on('data', (c: Buffer) => { out += c.toString() })
  const code = await within(ms, new Promise<number | null>(resolve => p.on('exit', resolve)), `${cmd} ${args.join(' ')}`).finally(() => { if (p.exitCode === null) p.kill('SIGKILL') })
  return { code, out }
}

const events = (irda: LiveIrda): Array<Record<string, unknown>> => irda.lines.filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, unknown>)

describe('ircomm/irda comm --pty (real pty, real programs)', function () {
  this.timeout(120_000)
  let dir: string
  let irda: LiveIrda | undefined
  beforeEach(function () { skipWithoutSocat(this); dir = mkdtempSync(join(tmpdir(), 'irdakit-comm-')) })
  afterEach(async () => {
    if (irda !== undefined) await irda.stop()
    irda = undefined
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  async function comm (link: string): Promise<LiveIrda> {
    const live = startIrda(['comm', '--pty', link, '--json'])
    await live.waitFor(l => l.includes('"event":"connected"'), 30_000, 'irda comm connected')
    return live
  }

  /** Writes `command` to the pty and reads until `answer` comes back (bounded). */
  async function converse (link: string, command: string, answer: string): Promise<string> {
    // Non-blocking: a read that waits would stop the whole event loop, and with it every timeout.
    const fd = openSync(link, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK)
    try {
      writeSync(fd, command)
      let text = ''
      const deadline = Date.now() + 10_000
      const buf = Buffer.alloc(256)
      while (!text.includes(answer) && Date.now() < deadline) {
        try { const n = readSync(fd, buf); text += buf.subarray(0, n).toString() } catch { await new Promise(resolve => setTimeout(resolve, 20)) }
      }
      return text
    } finally {
      closeSync(fd)
    }
  }

  it('carries AT commands through the pty and turns termios changes into IrCOMM settings', async () => {
    const link = join(dir, 'phone')
    irda = await comm(link)
    // A Linux pty keeps CS8 and no parity whatever it is told, so only the stop bits vary the format.
    expect(spawnSync('stty', ['-F', link, '19200', 'cstopb', 'crtscts']).status).to.equal(0)
    await irda.waitFor(l => l.includes('"dataRate":19200'), 10_000, 'settings event')
    const s = events(irda).filter(e => e.event === 'settings').at(-1)?.settings
    expect(s).to.deep.equal({ dataRate: 19200, dataFormat: 0x07, flowControl: 0x04 })
    expect(await converse(link, 'ATE0\rAT+CGSN\r', '350000000000017\r\n\r\nOK\r\n')).to.include('350000000000017\r\n\r\nOK\r\n')
  })

  it('keeps the pty while the phone leaves, says so, and carries on when it comes back', async () => {
    const socket = join(dir, 'room.sock')
    const room = startIrda(['room', 'serve', '--socket', socket, '--json'])
    try {
      await room.waitFor(l => l.includes('"listening"'), 8000, 'room listening')
      const phone1 = emulatePhone(await connectRoom(socket, { name: 'phone1' }), { identity: { imei: '111111111111111' } })
      const link = join(dir, 'phone')
      irda = startIrda(['comm', '--room', socket, '--pty', link, '--json', '--retry-ms', '300'])
      await irda.waitFor(l => l.includes('"event":"connected"'), 30_000, 'first connection')
      expect(await converse(link, 'ATE0\rAT+CGSN\r', '111111111111111')).to.include('111111111111111')
      // The phone rings: a pty has no RI to raise, so irda comm reports it.
      phone1.connections[0].setDce({ ri: true })
      const ring = JSON.parse(await irda.waitFor(l => l.includes('"event":"lines"'), 10_000, 'lines event')) as { lines: Record<string, boolean>, changed: string[] }
      expect(ring).to.deep.include({ lines: { cts: true, dsr: true, ri: true, cd: true }, changed: ['ri'] })
      await phone1.close()
      await phone1.stack.port.close()
      await irda.waitFor(l => l.includes('"event":"disconnected"'), 30_000, 'the phone left')
      await irda.waitFor(l => l.includes('"event":"waiting"'), 30_000, 'looking for it')
      const phone2 = emulatePhone(await connectRoom(socket, { name: 'phone2' }), { identity: { imei: '222222222222222' } })
      try {
        await irda.waitFor(l => l.includes('"event":"connected"') && irda!.lines.filter(x => x.includes('"event":"connected"')).length === 2, 30_000, 'second connection')
        expect(await converse(link, 'ATE0\rAT+CGSN\r', '222222222222222')).to.include('222222222222222')
      } finally {
        await irda.stop()
        irda = undefined
        await phone2.close()
        await phone2.stack.port.close()
      }
    } finally {
      await room.stop()
    }
  })

  it('connects to the device named on the command line; B0 on the pty drops DTR and RTS at the device, leaving B0 raises them', async () => {
    const socket = join(dir, 'room.sock')
    const room = startIrda(['room', 'serve', '--socket', socket, '--json'])
    const phones = [] as Array<ReturnType<typeof emulatePhone>>
    try {
      await room.waitFor(l => l.includes('"listening"'), 8000, 'room listening')
      phones.push(emulatePhone(await connectRoom(socket, { name: 'other' }), { nickname: 'Other phone' }))
      phones.push(emulatePhone(await connectRoom(socket, { name: 'nokia' }), { nickname: 'Nokia 6310i' }))
      const link = join(dir, 'nokia')
      irda = startIrda(['comm', 'Nokia 6310i', '--room', socket, '--pty', link, '--json'])
      const connected = JSON.parse(await irda.waitFor(l => l.includes('"event":"connected"'), 30_000, 'connected')) as { peer: string }
      expect(connected.peer).to.equal('Nokia 6310i')
      expect(phones.map(p => p.connections.length)).to.deep.equal([0, 1])
      const dte: Array<{ dtr: boolean, rts: boolean }> = []
      phones[1].connections[0].on('dte', lines => dte.push(lines))
      /** Waits (bounded) until the device's last DTE report says `dtr` for both lines. */
      const seen = async (dtr: boolean): Promise<void> => {
        const deadline = Date.now() + 10_000
        while (!(dte.at(-1)?.dtr === dtr && dte.at(-1)?.rts === dtr) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      }
      // The bridge has read the pty's termios once (it reports them), so B0 is a change it sees.
      await irda.waitFor(l => l.includes('"event":"settings"'), 10_000, 'the first termios')
      // stty says it could not do everything on a pty (exit 1), but the speed is set.
      spawnSync('stty', ['-F', link, '0'])
      await seen(false)
      expect(dte.at(-1)).to.deep.equal({ dtr: false, rts: false })
      spawnSync('stty', ['-F', link, '9600'])
      await seen(true)
      expect(dte.at(-1)).to.deep.equal({ dtr: true, rts: true })
    } finally {
      if (irda !== undefined) await irda.stop()
      irda = undefined
      for (const p of phones) { await p.close(); await p.stack.port.close() }
      await room.stop()
    }
  })

  it('--server: the device that connects to us is the pty\'s other end', async () => {
    const socket = join(dir, 'room.sock')
    const room = startIrda(['room', 'serve', '--socket', socket, '--json'])
    try {
      await room.waitFor(l => l.includes('"listening"'), 8000, 'room listening')
      const link = join(dir, 'ircomm')
      irda = startIrda(['comm', '--server', '--room', socket, '--pty', link, '--json'])
      await irda.waitFor(l => l.includes('"event":"listening"'), 30_000, 'comm listening')
      const roomPort = await connectRoom(socket, { name: 'client' })
      const client = IrdaStack.create({ port: roomPort, nickname: 'client' })
      try {
        const port = await within(30_000, connectIrcomm(client), 'connect to irda comm --server')
        expect(port.service).to.equal('9-wire')
        await irda.waitFor(l => l.includes('"event":"connected"'), 10_000, 'comm connected')
        const got: Buffer[] = []
        port.on('data', (c: Buffer) => got.push(c))
        port.write('from the client\n')
        expect(await converse(link, 'from the pty\n', 'from the client')).to.include('from the client')
        const deadline = Date.now() + 10_000
        while (!Buffer.concat(got).toString().includes('from the pty') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
        expect(Buffer.concat(got).toString()).to.include('from the pty')
        port.end()
      } finally {
        await irda.stop()
        irda = undefined
        await client.close().catch(() => {})
        await roomPort.close()
      }
    } finally {
      await room.stop()
    }
  })

  it('gammu (connection at, device = our pty) identifies the emulated phone and reads its phonebook', async function () {
    if (!haveGammu()) { this.test!.title += ` (${GAMMU_MISSING})`; console.warn(GAMMU_MISSING); this.skip() }
    const link = join(dir, 'phone')
    irda = await comm(link)
    const rc = join(dir, 'gammurc')
    writeFileSync(rc, `[gammu]\ndevice = ${link}\nconnection = at\n`)
    const id = await run('gammu', ['-c', rc, 'identify'], 60_000)
    expect(id.code, id.out).to.equal(0)
    expect(id.out).to.match(/Manufacturer\s+: irdakit/)
    expect(id.out).to.match(/IMEI\s+: 350000000000017/)
    expect(id.out).to.match(/Firmware\s+: V 5.27 emulated/)
    const book = await run('gammu', ['-c', rc, 'getmemory', 'SM', '1', '3'], 60_000)
    expect(book.code, book.out).to.equal(0)
    expect(book.out).to.include('"Alice"').and.include('"+441632960002"').and.include('"Dive shop"')
  })
})
