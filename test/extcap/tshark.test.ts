/*!
 * The extcap entry under real tshark: installed by `irda extcap --install` into the personal
 * extcap folder of a temporary HOME (the folder the installed Wireshark reads: 4.0 reads
 * `$XDG_CONFIG_HOME/wireshark/extcap`, 4.2+ `~/.local/lib/wireshark/extcap`), listed by
 * `tshark -D`, and capturing `-c N` frames live from a served room where two stacks talk
 * (discovery, IAS, a TinyTP echo); tshark decodes them clean and they are the room's frames.
 */
import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readPcap } from '@irdakit/capture'
import { connectRoom, serveRoom, watchRoom, type RoomServer, type RoomServerEvent, type RoomWatch, type TapRecord } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { echo, readN } from '../helpers/ttp.js'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { runIrda } from '../cli/run-irda.js'

const SPEEDS = [9600, 19200, 38400, 57600, 115200]
const QOS = { linkDisconnectMs: 3000 }
/** Frames tshark is asked for (`-c`): fewer than the exchange makes, so tshark stops the capture. */
const N = 30

async function until (cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 25) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => { setTimeout(resolve, 25) })
  }
}

describe('irda extcap under tshark', function () {
  this.timeout(180_000)
  let tshark: string
  let dir: string
  let env: NodeJS.ProcessEnv

  before(function () {
    tshark = requireTshark(this)
    dir = mkdtempSync(join(tmpdir(), 'irdakit-extcap-tshark-'))
    // A fresh HOME: tshark reads only this user's extcap folder besides the system's.
    env = { ...process.env, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config') }
    delete env.WIRESHARK_CONFIG_DIR
    const inst = runIrda(['extcap', '--install', '--json'], { env })
    expect(inst.status, inst.stderr).to.equal(0)
    expect((JSON.parse(inst.stdout) as { installed: string }).installed.startsWith(join(dir, 'home'))).to.equal(true)
  })
  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  const tsharkSync = (args: string[]): { status: number | null, stdout: string, stderr: string } =>
    spawnSync(tshark, args, { env, encoding: 'utf8', timeout: 120_000 })

  it('lists both irdakit interfaces (tshark -D) and their link type, LINUX_IRDA (tshark -L)', () => {
    const d = tsharkSync(['-D'])
    expect(d.status, d.stderr).to.equal(0)
    const ours = d.stdout.split('\n').filter(l => l.includes('irdakit')).map(l => l.replace(/^\d+\.\s*/, ''))
    expect(ours.sort()).to.deep.equal([
      'irdakit-dongle (irdakit: IrDA dongle on a serial port (passive))',
      'irdakit-room (irdakit: emulated IR room (irda room serve))',
    ])
    const l = tsharkSync(['-i', 'irdakit-room', '-L'])
    expect(l.status, l.stderr).to.equal(0)
    expect(l.stdout).to.match(/LINUX_IRDA \(IrDA \(Linux IrDA pseudo-header\)\)/)
  })

  it(`captures ${N} frames live from a served room where two stacks talk, and decodes them clean`, async () => {
    const events: RoomServerEvent[] = []
    const server: RoomServer = await serveRoom({ path: join(dir, 'room.sock'), seed: 5, onEvent: e => { events.push(e) } })
    const seen: TapRecord[] = []
    let watch: RoomWatch | undefined
    const out = join(dir, 'live.pcap')
    let tsharkRun: Promise<{ status: number | null, stderr: string }> | undefined
    try {
      watch = await watchRoom(server.address, r => { seen.push(r) })
      const child = spawn(tshark, ['-i', 'irdakit-room', '-o', `extcap.irdakit_room.room:${server.address}`, '-o', 'extcap.irdakit_room.perspective:A',
        '-c', String(N), '-F', 'pcap', '-w', out], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
      tsharkRun = new Promise(resolve => { child.once('close', status => { resolve({ status, stderr }) }) })
      let tsharkDone = false
      void tsharkRun.then(() => { tsharkDone = true })
      // Our watcher, then the extcap's: from here on it sees every frame.
      await until(() => events.filter(e => e.type === 'watch').length === 2 || tsharkDone, 'the extcap to watch the room')
      expect(tsharkDone, `tshark ended before capturing: ${stderr}`).to.equal(false)

      const a = IrdaStack.create({ port: await connectRoom(server.address, { name: 'A', supportedSpeeds: SPEEDS }), nickname: 'alpha', seed: 21, qos: QOS })
      const b = IrdaStack.create({ port: await connectRoom(server.address, { name: 'B', supportedSpeeds: SPEEDS }), nickname: 'bravo', seed: 22, qos: QOS })
      const listener = b.ttpListen()
      b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: listener.lsap })
      listener.on('connection', echo)
      const devices = await a.discover({ slots: 6 })
      expect(devices.map(d => d.nickname)).to.deep.equal(['bravo'])
      const ias = await a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
      expect(ias.returnCode).to.equal(0)
      const sock = await a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: listener.lsap })
      // Round trips one after another: each is a few frames each way.
      for (let round = 0; round < 8; round++) {
        const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + round) & 0xFF)
        sock.write(payload)
        expect(Buffer.compare(await readN(sock, payload.length), payload)).to.equal(0)
      }
      await a.close()
      await b.close()
      await until(() => seen.length === server.stats().frames, 'our watcher to catch up')
      expect(seen.length, 'frames the exchange made').to.be.greaterThan(N)

      const run = await tsharkRun
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stderr).to.match(new RegExp(`\\b${N} packets captured`))
      // tshark stopped the capture: the extcap left the room.
      await until(() => events.filter(e => e.type === 'unwatch').length >= 1, 'the extcap to leave the room')
    } finally {
      await watch?.close()
      await server.close()
      await tsharkRun
    }

    const recs = readPcap(out)
    if (!recs.ok) throw recs.error
    expect(recs.value.map(r => Buffer.from(r.frame).toString('hex'))).to.deep.equal(seen.slice(0, N).map(r => Buffer.from(r.frame).toString('hex')))
    expect(recs.value.map(r => r.direction)).to.deep.equal(seen.slice(0, N).map(r => r.sender === 'A' ? 'out' : 'in'))
    const frames = expectCleanDecode(out, { frames: N, noWarnings: true })
    const protocols = new Set(frames.flatMap(f => f.protocols))
    expect([...protocols]).to.include.members(['irlap', 'irlmp', 'iap'])
  })
})
