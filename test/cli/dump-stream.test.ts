/*!
 * irda dump on captures larger than anyone wants in memory: streamed output, a closed pipe
 * ending the run early, --json as one valid document, --ndjson as an object per line.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { PcapWriter } from '@irdakit/capture'
import { repoRoot } from './run-irda.js'

const FRAMES = 40_000

describe('irda dump streams large captures', function () {
  this.timeout(120_000)
  let dir: string
  let pcap: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'irdakit-dump-'))
    pcap = join(dir, 'big.pcap')
    const w = new PcapWriter(pcap)
    // I frames of 2 KiB between RR polls: about 40 MB.
    for (let i = 0; i < FRAMES; i++) {
      const frame = i % 2 === 0 ? new Uint8Array(2050).fill(0x55) : Uint8Array.of(0x01, 0x11)
      frame[0] = 0x01
      frame[1] = i % 2 === 0 ? ((i >> 1) & 7) << 1 : 0x11
      w.write({ timestampMs: i, direction: i % 2 === 0 ? 'out' : 'in', frame })
    }
    w.close()
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('stops as soon as the reader of its output goes away (irda dump big.pcap | head -1)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'dump', pcap], { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '' } })
    let stderr = ''
    child.stderr.on('data', d => { stderr += String(d) })
    // Read the first line, then close our end of the pipe, as head does.
    await new Promise<void>(resolve => child.stdout.once('data', () => { child.stdout.destroy(); resolve() }))
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
    expect(code).to.equal(0)
    expect(stderr).to.not.match(/frames/) // it never reached the end of the capture
  })

  it('--json is one document whose records arrive one per line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'dump', '--json', pcap], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 28 })
    expect(r.status).to.equal(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.length).to.equal(FRAMES + 2) // opening, a record per line, closing counts
    const doc = JSON.parse(r.stdout) as { frames: number, malformed: number, records: Array<{ number: number, summary: string }> }
    expect(doc.frames).to.equal(FRAMES)
    expect(doc.malformed).to.equal(0)
    expect(doc.records.map(x => x.number)).to.deep.equal(Array.from({ length: FRAMES }, (_, i) => i + 1))
    expect(doc.records[0].summary).to.match(/^i:cmd/)
  })

  it('--ndjson: every line is a whole JSON object, a record each, then the counts', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'dump', '--ndjson', pcap], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 28 })
    expect(r.status, r.stderr).to.equal(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.length).to.equal(FRAMES + 1)
    const objects = lines.map(l => JSON.parse(l) as { number?: number, summary?: string, frames?: number, malformed?: number })
    expect(objects.slice(0, FRAMES).map(x => x.number)).to.deep.equal(Array.from({ length: FRAMES }, (_, i) => i + 1))
    expect(objects[0].summary).to.match(/^i:cmd/)
    expect(objects[FRAMES]).to.deep.include({ command: 'dump', frames: FRAMES, malformed: 0 })
  })

  it('--ndjson is refused beside --json and for live sources, in one line', () => {
    const both = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'dump', '--ndjson', '--json', pcap], { cwd: repoRoot, encoding: 'utf8' })
    expect(both.status).to.equal(2)
    expect(both.stderr).to.match(/choose --json \(one document\) or --ndjson/)
    const live = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', 'dump', '--ndjson', '--emulator'], { cwd: repoRoot, encoding: 'utf8' })
    expect(live.status).to.equal(2)
    expect(live.stderr).to.match(/--ndjson is for a pcap file/)
  })
})
