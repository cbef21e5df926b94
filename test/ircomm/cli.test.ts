/*! `irda emulate` in its demonstration room and on a served room, and the one-line usage errors of `irda comm` and `irda emulate`. */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectRoom, type RoomPort } from '@irdakit/emulator'
import { connectIrcomm } from '@irdakit/ircomm'
import { IrdaStack } from '@irdakit/stack'
import { startIrda, type LiveIrda } from '../cli/live-irda.js'
import { repoRoot, runIrda, stderrLines } from '../cli/run-irda.js'
import { within } from '../serial/socat.js'

describe('ircomm/irda emulate and irda comm (command line)', function () {
  this.timeout(60_000)

  it('irda emulate phone: a laptop identifies the phone and reads its phonebook', () => {
    const r = runIrda(['emulate', 'phone', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const ex = r.stdout.trim().split('\n').map(l => JSON.parse(l) as { sent: string, answer: string })
    expect(ex.map(e => e.sent)).to.deep.equal(['ATE0', 'ATI', 'AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+CPBS="SM"', 'AT+CPBR=1,10'])
    expect(ex[2].answer).to.equal('\r\nirdakit\r\n\r\nOK\r\n')
    expect(ex[7].answer).to.include('+CPBR: 1,"+441632960001",145,"Alice"')
  })

  it('irda emulate mcp2150: readings, one per line asked', () => {
    const r = runIrda(['emulate', 'mcp2150'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.include('READ           -> #1 T=21.1 C').and.include('#2 T=21.2 C')
  })

  it('irda emulate phone --room: the phone answers a client in another process, and says what it was asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-emulate-'))
    const socket = join(dir, 'room.sock')
    const room = startIrda(['room', 'serve', '--socket', socket, '--json'])
    let phone: LiveIrda | undefined
    let roomPort: RoomPort | undefined
    let laptop: IrdaStack | undefined
    try {
      await room.waitFor(l => l.includes('"listening"'), 30_000, 'room listening')
      phone = startIrda(['emulate', 'phone', '--room', socket, '--json'])
      await phone.waitFor(l => l.includes('"event":"ready"'), 30_000, 'phone ready')
      roomPort = await connectRoom(socket, { name: 'laptop' })
      laptop = IrdaStack.create({ port: roomPort, nickname: 'laptop' })
      const port = await within(30_000, connectIrcomm(laptop), 'connect to the emulated phone')
      let text = ''
      port.on('data', (c: Buffer) => { text += c.toString() })
      port.write('AT+CGMI\r')
      await phone.waitFor(l => l.includes('"command":"AT+CGMI"'), 30_000, 'the command reported')
      const deadline = Date.now() + 10_000
      while (!text.includes('OK') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      expect(text).to.equal('AT+CGMI\r\r\nirdakit\r\n\r\nOK\r\n')
      expect(phone.lines.some(l => l.includes('"event":"connection"') && l.includes('"service":"9-wire"'))).to.equal(true)
      port.end()
    } finally {
      await laptop?.close().catch(() => {})
      await roomPort?.close().catch(() => {})
      await phone?.stop()
      await room.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('irda comm without --pty: stdin and stdout are the line to the emulated phone, the --json events go to stderr, end of input ends it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'comm', '--json'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    let ended = false
    const exited = new Promise<number | null>(resolve => child.once('close', code => { ended = true; resolve(code) }))
    try {
      const until = async (ok: () => boolean): Promise<void> => { while (!ok() && !ended) await new Promise(resolve => setTimeout(resolve, 25)) }
      await within(30_000, until(() => stderr.includes('"event":"connected"')), 'the connected event')
      child.stdin.write('AT+CGMI\r')
      await within(30_000, until(() => stdout.includes('OK')), 'the phone\'s answer')
      child.stdin.end()
      expect(await within(30_000, exited, 'the end of irda comm')).to.equal(0)
    } finally { child.kill() }
    expect(stdout).to.equal('AT+CGMI\r\r\nirdakit\r\n\r\nOK\r\n') // the phone echoes, as a modem does until ATE0
    const events = stderr.trim().split('\n').map(l => (JSON.parse(l) as { event: string }).event)
    expect(events).to.include('connected')
  })

  it('refuses what it cannot do in one line, exit 2', () => {
    for (const args of [['emulate', 'toaster'], ['comm', '--service', '5-wire'], ['comm', 'x', '--server'], ['comm', '--emulate', 'toaster']]) {
      const r = runIrda(args)
      expect(r.status, args.join(' ')).to.equal(2)
      expect(stderrLines(r), args.join(' ')).to.have.length(1)
    }
  })
})
