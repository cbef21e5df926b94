/*!
 * `irda obex` as a user runs it: against the emulated phone in this process (ls, get, push,
 * --json, one-line errors), and across processes in a served room (an `irda obex serve <dir>`
 * taking a push, serving the listing and the file back, refusing a path trick), with the room's
 * pcap kept for the tshark test.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { IrdaProcess } from './irda-process.js'
import { repoRoot, runIrda } from './run-irda.js'
import { ptyPair, skipWithoutSocat, type PtyPair } from '../serial/socat.js'

describe('irda obex', function () {
  this.timeout(120_000)
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'irda-obex-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('ls, get and push against the emulated phone; --json gives the entries and the raw XML', () => {
    const ls = runIrda(['obex', 'ls'])
    expect(ls.status, ls.stderr).to.equal(0)
    expect(ls.stdout.split('\n').slice(1, 3)).to.deep.equal(['TYPE  SIZE  MODIFIED  NAME', 'dir                   telecom/'])
    const json = runIrda(['obex', 'ls', 'telecom', '--json'])
    expect(json.status, json.stderr).to.equal(0)
    const doc = JSON.parse(json.stdout) as { path: string, entries: Array<{ name: string, size: number }>, xml: string }
    expect(doc.path).to.equal('/telecom')
    expect(doc.entries.map(e => e.name)).to.deep.equal(['pb.vcf', 'cal.vcs', 'devinfo.txt'])
    expect(doc.xml).to.match(/^<\?xml version="1.0"\?>\n<!DOCTYPE folder-listing SYSTEM "obex-folder-listing.dtd">/)

    const get = runIrda(['obex', 'get', 'telecom/pb.vcf', '--out', dir, '--json'])
    expect(get.status, get.stderr).to.equal(0)
    expect(JSON.parse(get.stdout)).to.include({ command: 'obex get', ok: true, bytes: 69 })
    expect(readFileSync(join(dir, 'pb.vcf'), 'utf8')).to.match(/^BEGIN:VCARD\r\n/)
    const again = runIrda(['obex', 'get', 'telecom/pb.vcf', '--out', dir])
    expect(again.status).to.equal(2)
    expect(again.stderr).to.match(/pb\.vcf exists \(use --force to overwrite\)\n$/)

    const file = join(dir, 'note.txt')
    writeFileSync(file, 'hello phone\n')
    const card = join(dir, 'card.vcf')
    writeFileSync(card, 'BEGIN:VCARD\r\nEND:VCARD\r\n')
    const push = runIrda(['obex', 'push', file, card, '--folder', 'Inbox', '--json'])
    expect(push.status, push.stderr).to.equal(0)
    expect(JSON.parse(push.stdout)).to.deep.include({ command: 'obex push', ok: true, bytes: 36, files: [{ file, name: 'note.txt', bytes: 12 }, { file: card, name: 'card.vcf', bytes: 24 }] })
  })

  it('one line and exit 1 for an OBEX refusal; nothing left behind', () => {
    const r = runIrda(['obex', 'get', 'Pictures/none.jpg', '--out', dir])
    expect(r.status).to.equal(1)
    expect(r.stderr).to.match(/^irda: 0x[0-9a-f]{8}: Not Found \(0xC4\)\n$/)
    expect(readdirSync(dir)).to.deep.equal([])
    const up = runIrda(['obex', 'get', '../etc/passwd'])
    expect(up.status).to.equal(2)
    expect(up.stderr).to.match(/"\.\." is not a folder name/)
  })

  it('get --max-size stops an object that grows past it (OBEX Abort): one line, exit 1, no file or .part left; a bad size is a usage error', () => {
    const r = runIrda(['obex', 'get', 'Pictures/reef.jpg', '--out', dir, '--max-size', '1K'])
    expect(r.status).to.equal(1)
    expect(r.stderr).to.match(/^irda: 0x[0-9a-f]{8}: .*larger than the limit of 1024 bytes\n$/)
    expect(readdirSync(dir)).to.deep.equal([])
    const fits = runIrda(['obex', 'get', 'Pictures/reef.jpg', '--out', dir, '--max-size', '24000'])
    expect(fits.status, fits.stderr).to.equal(0)
    expect(readFileSync(join(dir, 'reef.jpg')).length).to.equal(24_000)
    const bad = runIrda(['obex', 'get', 'x', '--max-size', '12Q'])
    expect(bad.status).to.equal(2)
    expect(bad.stderr).to.match(/must be a size in bytes/)
  })

  it('on a terminal, push and get draw a progress bar on stderr and clear it before their line', async function () {
    if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) { console.log('    skipped: script not found (apt-get install -y util-linux)'); this.skip() }
    // script(1) gives the command a real terminal (stdout and stderr both), as a user's shell does.
    const onTerminal = async (args: string[]): Promise<{ code: number | null, screen: string }> => {
      const cmd = `exec ${process.execPath} --import tsx --conditions=irdakit-source packages/cli/src/main.ts ${args.join(' ')}`
      const term = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, FORCE_COLOR: '', NO_COLOR: '1', TERM: 'xterm' } })
      let screen = ''
      term.stdout.on('data', (d: Buffer) => { screen += String(d) })
      const code = await new Promise<number | null>(resolve => { term.once('exit', resolve) })
      return { code, screen }
    }
    const file = join(dir, 'big.bin')
    writeFileSync(file, Buffer.alloc(40_000, 0x5a))
    const push = await onTerminal(['obex', 'push', file])
    expect(push.code, push.screen).to.equal(0)
    expect(push.screen).to.match(/push big\.bin \[#+-*\] +\d+% \d+\/40000\r/)
    expect(push.screen).to.match(/push big\.bin \[#{30}\] 100% 40000\/40000\r\u001b\[2K\r?\n?sent big\.bin: 40000 bytes/)
    const get = await onTerminal(['obex', 'get', 'Pictures/reef.jpg', '--out', join(dir, 'reef.jpg')])
    expect(get.code, get.screen).to.equal(0)
    expect(get.screen).to.match(/get reef\.jpg \[#+-*\] +\d+% \d+\/24000\r/)
    expect(get.screen).to.match(/get reef\.jpg \[#{30}\] 100% 24000\/24000\r\u001b\[2K\r?\n?got Pictures\/reef\.jpg: 24000 bytes/)
    expect(readFileSync(join(dir, 'reef.jpg')).length).to.equal(24_000)
  })

  it('irda obex serve <dir> in the emulator: the emulated phone pushes a vCard, lists and fetches it', () => {
    const r = runIrda(['obex', 'serve', dir, '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const evs = r.stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
    expect(evs.map(e => e.event)).to.deep.equal(['listening', 'connect', 'put', 'get', 'get', 'close', 'summary'])
    expect(evs[2]).to.include({ name: 'jane.vcf', ok: true, bytes: 69 })
    expect(readdirSync(dir)).to.deep.equal(['jane.vcf'])
  })

  it('across processes in a served room: push, ls, get, and a refused path trick', async function () {
    this.timeout(240_000) // five client processes on a machine that may be busy
    const socket = join(dir, 'room.sock')
    const inbox = join(dir, 'inbox')
    mkdirSync(inbox)
    const pcap = join(dir, 'obex.pcap')
    const room = new IrdaProcess(['room', 'serve', '--socket', socket, '--pcap', pcap, '--json'])
    try {
      await room.waitFor(/"event":"listening"/)
      const server = new IrdaProcess(['obex', 'serve', inbox, '--room', socket, '--json'])
      try {
        await server.waitFor(/"event":"listening"/)
        const file = join(dir, 'memo.txt')
        const data = Buffer.from(Array.from({ length: 30_000 }, (_, i) => 0x20 + (i * 7) % 90))
        writeFileSync(file, data)
        const push = runIrda(['obex', 'push', file, '--room', socket, '--json'])
        expect(push.status, push.stderr).to.equal(0)
        expect(JSON.parse(push.stdout)).to.include({ ok: true, bytes: 30_000 })
        expect(readFileSync(join(inbox, 'memo.txt')).equals(data)).to.equal(true)

        const ls = runIrda(['obex', 'ls', '--room', socket, '--json'])
        expect(ls.status, ls.stderr).to.equal(0)
        expect((JSON.parse(ls.stdout) as { entries: unknown[] }).entries).to.deep.equal([{ kind: 'file', name: 'memo.txt', size: 30_000, modified: (JSON.parse(ls.stdout) as { entries: Array<{ modified: string }> }).entries[0].modified }])

        const out = join(dir, 'back.txt')
        const get = runIrda(['obex', 'get', 'memo.txt', '--room', socket, '--out', out])
        expect(get.status, get.stderr).to.equal(0)
        expect(readFileSync(out).equals(data)).to.equal(true)

        const missing = runIrda(['obex', 'push', file, '--folder', 'nothere', '--room', socket])
        expect(missing.status).to.equal(1)
        expect(missing.stderr).to.match(/Not Found \(0xC4\)/)
        // A drive prefix passes the client's own check and reaches the server, which refuses it.
        const trick = runIrda(['obex', 'push', file, '--folder', 'C:evil', '--room', socket])
        expect(trick.status).to.equal(1)
        expect(trick.stderr).to.match(/Forbidden \(0xC3\)/)
      } finally {
        const run = await server.stop('SIGINT')
        expect(run.status, run.stderr).to.equal(0)
        const evs = run.stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
        expect(evs.filter(e => e.event === 'put' && e.ok === true)).to.have.length(1)
        expect(evs.at(-1)).to.deep.include({ event: 'summary', received: 1, sent: 2, stoppedBy: 'SIGINT' })
      }
    } finally {
      const run = await room.stop('SIGINT')
      expect(run.status).to.equal(0)
    }
    expect(readdirSync(inbox)).to.deep.equal(['memo.txt'])
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

    it('serve --once on one end, push on the other: the file arrives whole, both exit 0', async () => {
      const inbox = join(dir, 'inbox')
      mkdirSync(inbox)
      const server = new IrdaProcess(['obex', 'serve', inbox, '--port', pty!.a, '--dongle', 'none', '--once', '--json'])
      running.push(server)
      await server.waitFor(/"event":"listening"/)
      const file = join(dir, 'jane.vcf')
      writeFileSync(file, 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nEND:VCARD\r\n')
      const push = runIrda(['obex', 'push', file, '--port', pty!.b, '--dongle', 'none', '--json'])
      expect(push.status, push.stderr).to.equal(0)
      expect(JSON.parse(push.stdout)).to.deep.include({ ok: true, medium: `${pty!.b} (none)` })
      const served = await server.done()
      expect(served.status, served.stderr).to.equal(0)
      expect(readFileSync(join(inbox, 'jane.vcf'), 'utf8')).to.equal(readFileSync(file, 'utf8'))
    })
  })
})
