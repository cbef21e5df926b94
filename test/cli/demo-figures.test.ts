/*!
 * Issue 14: the demo's figures are honest (goodput against the line's byte rate, SIR 10 bits a
 * byte, and against the ideal schedule), its JSON is rounded, and ^C gives a summary.
 */
import { expect } from 'chai'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { IrdaProcess } from './irda-process.js'
import { repoRoot, runIrda } from './run-irda.js'

/** tsx's loader as a URL, for a child started in another directory. */
const tsx = import.meta.resolve('tsx')

interface Summary { bytes: number, ms: number, speed: number, throughputBps: number, efficiency: number, idealMs: number, ofIdeal: number }

describe('irda demo figures and ^C (issue 14)', function () {
  this.timeout(60_000)
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-demo-figures-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('at 115200 reports goodput against 11520 bytes a second (SIR: 10 bits a byte) and the ideal schedule', () => {
    const r = runIrda(['demo', '--speed', '115200', '--bytes', '20000', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const s = (JSON.parse(r.stdout) as { summary: Summary }).summary
    expect(s.speed).to.equal(115200)
    const bytesPerSecond = 2 * s.bytes / (s.ms / 1000)
    expect(s.efficiency).to.be.closeTo(bytesPerSecond / 11520, 1e-5)
    expect(s.efficiency, 'the line carried ~95% of what it can, not 76%').to.be.within(0.9, 1)
    expect(s.ofIdeal).to.be.closeTo(s.idealMs / s.ms, 1e-5)
    expect(s.ofIdeal).to.be.within(0.95, 1.000001)
    const human = runIrda(['demo', '--speed', '115200', '--bytes', '20000', '--quiet'])
    // 100.0% of the ideal since the emulated port offers a 0.01 ms turnaround (issue 17).
    expect(human.stdout).to.match(/KiB\/s both ways at 115200 bit\/s: 9\d\.\d% of the line's byte rate \(SIR: 10 bits a byte\), (9\d|100)\.\d% of the link's ideal schedule\n/)
  })

  it('docs/cli.md quotes the throughput line irda demo --speed 115200 prints today (virtual time: the same every run)', () => {
    const r = runIrda(['demo', '--speed', '115200', '--quiet'])
    expect(r.status, r.stderr).to.equal(0)
    const line = /^.*KiB\/s both ways at 115200 bit\/s: .*$/m.exec(r.stdout)?.[0]
    const doc = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8')
    expect(doc.includes(`\n${line}\n`), `docs/cli.md should quote the demo's line: ${line}`).to.equal(true)
  })

  it('prints JSON floats rounded (no 93.52399999999966)', () => {
    const r = runIrda(['demo', '--bytes', '3000', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout).to.not.match(/\d\.\d{7,}/)
    const s = (JSON.parse(r.stdout) as { summary: Summary }).summary
    expect(String(s.ms)).to.match(/^\d+(\.\d{1,3})?$/)
  })

  it('^C during the demo stops it with a summary of what happened, the pcap closed, exit 1', async () => {
    const pcap = join(dir, 'stopped.pcap')
    // Real time at 9600 bit/s: the echo of 4000 bytes takes seconds, so ^C lands in the middle.
    const demo = new IrdaProcess(['demo', '--real-time', '--speed', '9600', '--bytes', '4000', '--pcap', pcap])
    await demo.waitFor(/ttp: connect/)
    const r = await demo.stop('SIGINT')
    expect(r.status).to.equal(1)
    expect(r.stdout).to.match(/\nstopped by SIGINT: \d+ of 4000 bytes echoed, \d+ frames \(0 lost or damaged\) in [\d.]+ ms of link time\n/)
    expect(r.stdout).to.include(`capture: ${pcap} (the frames so far; irda dump ${pcap})`)
    expect(r.stderr).to.equal('irda: the demo did not finish: stopped by SIGINT\n')
    expect(existsSync(pcap)).to.equal(true)
    const dump = runIrda(['dump', pcap, '--json'])
    expect(dump.status, dump.stderr).to.equal(0)
  })

  it('^C typed on a terminal clears the progress bar, then prints the summary', async function () {
    if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) { console.log('    skipped: script not found (apt-get install -y util-linux)'); this.skip() }
    // script(1) gives the demo a real terminal; \x03 typed into it is the terminal's ^C. script
    // runs the command through $SHELL; exec makes the demo the shell's replacement, since dash
    // (CI's /bin/sh) would otherwise be in the foreground group and die of the ^C itself (130).
    const cmd = `exec ${process.execPath} --import ${tsx} --conditions=irdakit-source ${join(repoRoot, 'packages/cli/src/main.ts')} demo --real-time --speed 9600 --bytes 4000 --quiet`
    const term = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, FORCE_COLOR: '', NO_COLOR: '1', TERM: 'xterm' } })
    let screen = ''
    let typed = false
    term.stdout.on('data', (d: Buffer) => { screen += String(d); if (!typed && /echo \[#/.test(screen)) { typed = true; term.stdin.write('\x03') } })
    const code = await new Promise<number | null>(resolve => { term.once('exit', resolve) })
    expect(typed, `the progress bar never showed: ${screen}`).to.equal(true)
    expect(code).to.equal(1)
    // The last bar is erased (carriage return, erase line) before the summary line.
    expect(screen).to.match(/echo \[#+-*\] +\d+% \d+\/4000(\^C)?\r\u001b\[2K\r?\n?stopped by SIGINT: \d+ of 4000 bytes echoed/)
  })

  it('^C with --json: one document with ok false and how far it got', async () => {
    const pcap = join(dir, 'stopped-json.pcap')
    const demo = new IrdaProcess(['demo', '--real-time', '--speed', '9600', '--bytes', '4000', '--json', '--pcap', pcap])
    // --json prints nothing until the end: frames in the pcap say the demo is under way.
    for (let waited = 0; !(existsSync(pcap) && statSync(pcap).size > 200); waited += 50) {
      if (waited > 30_000) throw new Error('the demo did not start')
      await new Promise(resolve => { setTimeout(resolve, 50) })
    }
    const r = await demo.stop('SIGINT')
    expect(r.status).to.equal(1)
    const doc = JSON.parse(r.stdout) as { ok: boolean, stoppedBy: string, summary: { bytes: number, frames: number }, frames: unknown[] }
    expect(doc).to.deep.include({ ok: false, stoppedBy: 'SIGINT' })
    expect(doc.summary.bytes).to.equal(4000)
    expect(doc.frames).to.have.length(doc.summary.frames)
  })
})
