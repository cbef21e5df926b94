/*!
 * Issue 14 point 10: ping sizes that can be answered, a pcap cut short, a --pcap in a missing
 * directory, a dongle driven by control lines on a pty.
 */
import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ptyPair, skipWithoutSocat, type PtyPair } from '../serial/socat.js'
import { runIrda } from './run-irda.js'

describe('irda: smaller points of issue 14', function () {
  this.timeout(60_000)
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-smaller-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('ping -s refuses a size whose answer can never arrive in time, with the reason', () => {
    const r = runIrda(['ping', '-s', '1000'])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.match(/argument '1000' is invalid\. must be a whole number from 1 to 400 \(a TEST answer at 9600 bit\/s must arrive within IrLAP's 500 ms maximum turnaround\)/)
    const max = runIrda(['ping', '-s', '400', '-c', '1', '-i', '0', '--json'])
    expect(max.status, max.stderr).to.equal(0)
    expect(JSON.parse(max.stdout)).to.deep.include({ size: 400, received: 1 })
  })

  it('dump shows the records of a pcap whose last record is cut short, then warns (as tshark does)', () => {
    const pcap = join(dir, 'whole.pcap')
    expect(runIrda(['demo', '--bytes', '300', '--quiet', '--pcap', pcap]).status).to.equal(0)
    const whole = JSON.parse(runIrda(['dump', pcap, '--json']).stdout) as { frames: number }
    const cut = join(dir, 'cut.pcap')
    writeFileSync(cut, readFileSync(pcap).subarray(0, -3))
    const r = runIrda(['dump', cut, '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const doc = JSON.parse(r.stdout) as { frames: number, truncated: string }
    expect(doc.frames).to.equal(whole.frames - 1)
    expect(doc.truncated).to.equal(`record ${whole.frames - 1} data truncated`)
    expect(r.stderr).to.equal(`irda: warning: ${cut}: record ${whole.frames - 1} data truncated; the frames before it are shown\n`)
  })

  it('dump still refuses a file that is not a pcap at all (exit 2)', () => {
    const junk = join(dir, 'junk.pcap')
    writeFileSync(junk, 'not a capture at all, just text')
    const r = runIrda(['dump', junk])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.match(/is not an IrDA pcap: pcap: unknown magic/)
  })

  it('demo --pcap in a directory that does not exist is a usage error (exit 2), found before the demo runs', () => {
    const r = runIrda(['demo', '--pcap', join(dir, 'missing', 'x.pcap')])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.equal(`irda: cannot write --pcap ${join(dir, 'missing', 'x.pcap')}: ${join(dir, 'missing')} is not a directory\n`)
    expect(r.stdout).to.equal('')
  })

  it('the emulated "Aladin Smart" has one address in demo, discover, ping and ias', () => {
    const json = (args: string[]): any => { const r = runIrda([...args, '--json']); expect(r.status, r.stderr).to.equal(0); return JSON.parse(r.stdout) }
    const demo = json(['demo', '--bytes', '10']).summary.peer as { nickname: string, deviceAddress: string }
    expect(demo.nickname).to.equal('Aladin Smart')
    const found = (json(['discover']).devices as Array<{ nickname: string, deviceAddress: string }>).find(d => d.nickname === 'Aladin Smart')
    expect(found?.deviceAddress, 'discover').to.equal(demo.deviceAddress)
    expect(json(['ping', '-c', '1', '-i', '0']).destination, 'ping').to.equal(demo.deviceAddress)
    expect(json(['ias', 'Aladin Smart', 'Device', 'DeviceName']).device, 'ias').to.deep.equal(demo)
  })

  describe('a dongle driven by control lines on a pty', () => {
    let pty: PtyPair | undefined
    beforeEach(function () { skipWithoutSocat(this) })
    afterEach(() => { pty?.kill(); pty = undefined })

    it('says in full which lines could not be set, why, and what to use instead', async () => {
      pty = await ptyPair()
      const r = runIrda(['discover', '--port', pty.a, '--dongle', 'tekram'])
      expect(r.status).to.equal(2)
      expect(r.stderr).to.equal(`irda: cannot open ${pty.a} with dongle tekram: ${pty.a}: cannot set the control lines DTR=1 RTS=1 (Inappropriate ioctl for device); this dongle is driven through them, which a pseudo-terminal or a 3-wire adapter does not have (dongle 'none' needs no control lines)\n`)
    })
  })
})
