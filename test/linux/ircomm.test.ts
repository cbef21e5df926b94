/*!
 * Opt-in (npm run test:linux): IrCOMM with Linux 4.9's own IrCOMM (`/dev/ircomm*`), booted in
 * qemu from the peer folder in IRDAKIT_LINUX_PEER, over the guest's pty, both ways:
 * - we connect to the tty a guest program holds open (Linux the IrCOMM server);
 * - the guest opens a tty and Linux connects to our IrCOMM service (Linux the client).
 * Skipped, with the reason, when the variable, the folder or qemu is missing.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connectIrcomm, IRCOMM_HINTS, listenIrcomm, type IrcommParam, type IrcommPort } from '@irdakit/ircomm'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('ircomm: interop with Linux 4.9 IrCOMM in qemu (opt-in)', function () {
  this.timeout(10 * 60_000)
  const peer = process.env.IRDAKIT_LINUX_PEER ?? ''
  let runDir: string | undefined
  let qemuPid: number | undefined
  let stack: IrdaStack | undefined

  /** Runs a shell line on the guest console; resolves with what the console printed within `seconds`. */
  const guest = async (line: string, seconds = 3): Promise<string> => await new Promise((resolve, reject) => {
    execFile('python3', [join(peer, 'con.py'), line, String(seconds)], { env: { ...process.env, CONSOLE: join(runDir as string, 'console.sock') } }, (e, out) => { if (e !== null) reject(e); else resolve(out) })
  })
  /** Polls a guest file until it contains `text` (bounded). */
  const guestFileHas = async (path: string, text: string, ms = 60_000): Promise<string> => {
    const deadline = Date.now() + ms
    let out = ''
    while (Date.now() < deadline) {
      out = await guest(`cat ${path}`, 1.5)
      if (out.includes(text)) return out
    }
    return out
  }

  before(async function () {
    if (peer === '') { console.log('    skipped: set IRDAKIT_LINUX_PEER to the linux-peer folder (npm run test:linux)'); this.skip() }
    if (!existsSync(join(peer, 'run-qemu.sh')) || !existsSync(join(peer, 'bzImage-4.9.337-irda'))) { console.log(`    skipped: ${peer} has no run-qemu.sh and bzImage-4.9.337-irda`); this.skip() }
    if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) { console.log('    skipped: qemu-system-x86_64 not found (apt-get install -y qemu-system-x86)'); this.skip() }
    runDir = mkdtempSync(join(tmpdir(), 'irdakit-ircomm-linux-'))
    execFileSync(join(peer, 'run-qemu.sh'), { env: { ...process.env, RUN_DIR: runDir, NICK: 'linuxguest' } })
    qemuPid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8'))
    const log = join(runDir, 'console.log')
    for (let i = 0; i < 240 && !(existsSync(log) && /irda-peer: ready/.test(readFileSync(log, 'utf8'))); i++) await sleep(500)
    expect(readFileSync(log, 'utf8'), 'the guest did not come up within 120 s').to.match(/irda-peer: ready/)
    const port = await openSerialPort({ path: join(runDir, 'ttyIR'), dongle: 'none' })
    stack = IrdaStack.create({ port, nickname: 'irdakit', qos: { speeds: [9600] } })
  })

  after(async () => {
    if (stack !== undefined) { await stack.close().catch(() => {}); await stack.port.close().catch(() => {}) }
    if (qemuPid !== undefined) { try { process.kill(qemuPid) } catch {} }
    if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true })
  })

  it('connects to /dev/ircomm1 held open in the guest (Linux the server): 9-wire, data both ways', async () => {
    await guest('cat /dev/ircomm1 > /tmp/from-irdakit &', 2)
    const s = stack as IrdaStack
    let port: IrcommPort | undefined
    for (let i = 0; i < 10 && port === undefined; i++) port = await connectIrcomm(s).catch(async () => { await sleep(1000); return undefined })
    expect(port, 'no IrCOMM connection to the guest').to.not.equal(undefined)
    const p = port as IrcommPort
    p.on('error', () => {})
    expect(p.service).to.equal('9-wire')
    const got: Buffer[] = []
    p.on('data', (c: Buffer) => got.push(c))
    p.write('hello linux, this is irdakit\n')
    expect(await guestFileHas('/tmp/from-irdakit', 'hello linux, this is irdakit')).to.include('hello linux, this is irdakit')
    await guest('echo hello irdakit, this is linux > /dev/ircomm1', 2)
    const deadline = Date.now() + 30_000
    while (!Buffer.concat(got).toString().includes('hello irdakit, this is linux') && Date.now() < deadline) await sleep(200)
    expect(Buffer.concat(got).toString()).to.include('hello irdakit, this is linux')
    await guest('kill %1; kill $(pidof cat)', 1)
    p.end()
    await sleep(3000)
  })

  it('takes the connection Linux makes when a guest program opens /dev/ircomm0 (Linux the client)', async () => {
    const s = IrdaStack.create({ port: (stack as IrdaStack).port, nickname: 'irdakit-srv', hints: IRCOMM_HINTS })
    await (stack as IrdaStack).close().catch(() => {})
    stack = s
    const conns: IrcommPort[] = []
    const params: IrcommParam[] = []
    const got: Buffer[] = []
    listenIrcomm(s, {}, p => { conns.push(p); p.on('error', () => {}); p.on('param', x => params.push(x)); p.on('data', (c: Buffer) => got.push(c)) })
    await guest('cat /dev/ircomm0 > /tmp/from-server &', 2)
    await guest('echo linux dials irdakit > /dev/ircomm0', 2)
    const deadline = Date.now() + 90_000
    while (!Buffer.concat(got).toString().includes('linux dials irdakit') && Date.now() < deadline) await sleep(500)
    expect(conns.length, 'Linux did not connect').to.be.greaterThan(0)
    expect(Buffer.concat(got).toString()).to.include('linux dials irdakit')
    // Linux's initial parameters: service type, then its line settings.
    expect(params[0]).to.deep.equal({ type: 'service-type', value: 0x04 })
    expect(params.map(x => x.type)).to.include.members(['data-rate', 'data-format', 'flow-control', 'dte'])
    conns[0].write('irdakit answers\n')
    expect(await guestFileHas('/tmp/from-server', 'irdakit answers')).to.include('irdakit answers')
    conns[0].end()
    await sleep(2000)
  })
})
