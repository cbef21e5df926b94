/*!
 * Opt-in (`npm run docs:extcap-screenshot`), never part of `npm test`: draws
 * docs/extcap/wireshark-live.png, Wireshark's own window capturing live through `irda extcap`.
 *
 * It installs the extcap entry into a temporary HOME, serves a room in this process, starts
 * Wireshark on `irdakit-room` on a virtual X screen (Xvfb), lets two stacks talk in the room
 * (discovery, IAS, a TinyTP echo), then dumps the screen with `xwd` and writes it as a PNG.
 * Needs: `apt-get install -y wireshark-qt xvfb x11-apps`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectRoom, serveRoom, type RoomServerEvent } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { echo, readN } from '../helpers/ttp.js'
import { onPath } from '../../packages/cli/src/commands/dongles.js'
import { repoRoot, runIrda } from '../cli/run-irda.js'
import { xwdToPng } from './xwd-png.js'

const WIDTH = 1280
const HEIGHT = 800
const OUT = join(repoRoot, 'docs', 'extcap', 'wireshark-live.png')

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => { setTimeout(resolve, ms) }) }

async function until (cond: () => boolean, what: string, limitMs: number): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** Starts Xvfb on a free display (it names it on fd 3); resolves with the display and the process. */
async function startXvfb (): Promise<{ display: string, xvfb: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${WIDTH}x${HEIGHT}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] })
  const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream
  const display = await new Promise<string>((resolve, reject) => {
    let got = ''
    fd3.setEncoding('utf8')
    fd3.on('data', (d: string) => { got += d; if (got.includes('\n')) resolve(`:${got.trim()}`) })
    xvfb.once('exit', code => { reject(new Error(`Xvfb ended (${String(code)}) before naming its display`)) })
  })
  return { display, xvfb }
}

async function main (): Promise<void> {
  const missing = ['Xvfb', 'wireshark', 'xwd'].filter(t => !onPath(t))
  if (missing.length > 0) {
    process.stderr.write(`missing ${missing.join(', ')}: apt-get install -y wireshark-qt xvfb x11-apps\n`)
    process.exitCode = 1
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-extcap-shot-'))
  const home = join(dir, 'home')
  const config = join(home, '.config')
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: dir }
  delete env.WIRESHARK_CONFIG_DIR
  let wireshark: ChildProcess | undefined
  let xvfb: ChildProcess | undefined
  const events: RoomServerEvent[] = []
  const server = await serveRoom({ path: join(dir, 'room.sock'), seed: 9, onEvent: e => { events.push(e) } })
  try {
    const inst = runIrda(['extcap', '--install'], { env })
    if (inst.status !== 0) throw new Error(`irda extcap --install failed: ${inst.stderr}`)
    process.stdout.write(inst.stdout)
    // The window fills the screen, the packet list gets most of it (Wireshark's "recent" file).
    mkdirSync(join(config, 'wireshark'), { recursive: true })
    writeFileSync(join(config, 'wireshark', 'recent_common'), [
      'gui.geometry_main_x: 0', 'gui.geometry_main_y: 0', `gui.geometry_main_width: ${WIDTH}`, `gui.geometry_main_height: ${HEIGHT}`,
      'gui.geometry_main_maximized: FALSE', 'gui.geometry_main_upper_pane: 470', 'gui.geometry_main_lower_pane: 0', '',
    ].join('\n'))

    const x = await startXvfb()
    xvfb = x.xvfb
    wireshark = spawn('wireshark', ['-i', 'irdakit-room', '-o', `extcap.irdakit_room.room:${server.address}`, '-o', 'extcap.irdakit_room.perspective:A', '-k'],
      { env: { ...env, DISPLAY: x.display }, stdio: 'ignore' })
    await until(() => events.some(e => e.type === 'watch'), 'Wireshark\'s extcap to watch the room', 180_000)

    const a = IrdaStack.create({ port: await connectRoom(server.address, { name: 'A', supportedSpeeds: [9600, 115200] }), nickname: 'alpha', seed: 1 })
    const b = IrdaStack.create({ port: await connectRoom(server.address, { name: 'B', supportedSpeeds: [9600, 115200] }), nickname: 'bravo', seed: 2 })
    const listener = b.ttpListen()
    b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: listener.lsap })
    listener.on('connection', echo)
    await a.discover({ slots: 6 })
    const ias = await a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
    const lsap = ias.entries[0]?.value
    if (lsap?.type !== 'integer') throw new Error('the IAS query found no Echo service')
    const sock = await a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: lsap.value })
    for (let round = 1; round <= 3; round++) {
      const hello = new TextEncoder().encode(`hello from alpha, round ${round}`)
      sock.write(hello)
      await readN(sock, hello.length)
    }
    await a.close()
    await b.close()
    // Give Wireshark's list time to show the last frames.
    await sleep(5000)

    const dump = spawnSync('xwd', ['-root', '-silent', '-display', x.display], { maxBuffer: 64 << 20 })
    if (dump.status !== 0) throw new Error(`xwd failed: ${dump.stderr.toString()}`)
    mkdirSync(join(repoRoot, 'docs', 'extcap'), { recursive: true })
    writeFileSync(OUT, xwdToPng(dump.stdout))
    process.stdout.write(`wrote ${OUT} (${server.stats().frames} frames in the room)\n`)
  } finally {
    wireshark?.kill('SIGTERM')
    if (wireshark !== undefined && wireshark.exitCode === null) await new Promise(resolve => { wireshark?.once('exit', resolve) })
    await server.close()
    xvfb?.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
