/*!
 * `irda comm --pty` with real programs: the pty carries AT commands to the emulated phone,
 * termios changes made on the pty become IrCOMM line settings, and Debian's gammu (connection
 * `at`, device = our pty) identifies the phone and reads its phonebook. socat provides the pty;
 * without socat, or gammu, the tests are pending with the install hint, never passed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
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

  it('carries AT commands through the pty and turns termios changes into IrCOMM settings', async () => {
    const link = join(dir, 'phone')
    irda = await comm(link)
    // A Linux pty keeps CS8 and no parity whatever it is told, so only the stop bits vary the format.
    expect(spawnSync('stty', ['-F', link, '19200', 'cstopb', 'crtscts']).status).to.equal(0)
    await irda.waitFor(l => l.includes('"dataRate":19200'), 10_000, 'settings event')
    const s = events(irda).filter(e => e.event === 'settings').at(-1)?.settings
    expect(s).to.deep.equal({ dataRate: 19200, dataFormat: 0x07, flowControl: 0x04 })
    const fd = openSync(link, 'r+')
    try {
      writeSync(fd, 'ATE0\rAT+CGSN\r')
      let text = ''
      const deadline = Date.now() + 10_000
      const buf = Buffer.alloc(256)
      while (!text.includes('350000000000017\r\n\r\nOK\r\n') && Date.now() < deadline) {
        try { const n = readSync(fd, buf); text += buf.subarray(0, n).toString() } catch { await new Promise(resolve => setTimeout(resolve, 20)) }
      }
      expect(text).to.include('350000000000017\r\n\r\nOK\r\n')
    } finally {
      closeSync(fd)
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
