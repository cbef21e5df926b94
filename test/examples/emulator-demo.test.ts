import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireTshark, expectCleanDecode } from '../helpers/tshark.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

function runDemo (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'examples/emulator-demo.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('examples/emulator-demo (the README main job)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-demo-'))

  it('discovers, looks up IAS, echoes the bytes identically and writes a capture tshark reads cleanly', function () {
    const pcap = join(dir, 'demo.pcap')
    const r = runDemo('--pcap', pcap, '--bytes', '5000', '--speed', '115200')
    expect(r.stderr).to.equal('')
    expect(r.status).to.equal(0)
    expect(r.stdout).to.match(/xid:rsp .* "Aladin Smart"/)
    expect(r.stdout).to.match(/ias: GetValueByClass "Echo" "IrDA:TinyTP:LsapSel"/)
    expect(r.stdout).to.match(/ttp: connect credit=16/)
    expect(r.stdout).to.match(/echoed 5000 bytes in [\d.]+ ms of link time: identical/)
    requireTshark(this)
    const frames = expectCleanDecode(pcap)
    const protocols = new Set(frames.flatMap(f => f.protocols))
    for (const p of ['irlap', 'irlmp', 'iap']) expect(protocols, p).to.include(p)
  })

  it('recovers from bit errors and still echoes identically', () => {
    const r = runDemo('--pcap', join(dir, 'ber.pcap'), '--bytes', '4000', '--speed', '115200', '--ber', '1e-4', '--quiet')
    expect(r.status).to.equal(0)
    expect(r.stdout).to.match(/identical/)
    const m = /(\d+) retransmissions, (\d+) receive errors/.exec(r.stdout)
    expect(m).to.not.equal(null)
    // Seeded: the same frames are hit on every run, and the laptop had to resend some.
    expect(Number(m?.[1])).to.be.greaterThan(0)
  })

  it('rejects a speed IrDA does not define with a one-line message', () => {
    const r = runDemo('--speed', '12345')
    expect(r.status).to.equal(2)
    expect(r.stderr.trim().split('\n')).to.have.length(1)
  })
})
