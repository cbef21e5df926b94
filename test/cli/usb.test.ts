import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { testDir } from '../helpers/temp-dir.js'

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url))
const irda = (args: string[]): { status: number | null, stdout: string, stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', main, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } })

describe('cli: --usb and the USB part of irda dongles', () => {
  it('irda dongles --json lists USB dongles (an array, empty on a machine without any) or says why it cannot', () => {
    const r = irda(['dongles', '--json'])
    expect(r.status, r.stderr).to.equal(0)
    const doc = JSON.parse(r.stdout) as { usbDongles: unknown, usbDonglesUnavailable?: string }
    if (doc.usbDongles === null) expect(doc.usbDonglesUnavailable).to.be.a('string')
    else expect(doc.usbDongles).to.be.an('array')
  })

  it('a dongle that is not there is one clear line and exit 2; --usb with --port is a contradiction', function () {
    this.timeout(240_000) // ten CLI processes, one after another
    const r = irda(['discover', '--usb', 'ffff:fffe'])
    expect(r.status).to.equal(2)
    expect(r.stderr.trim()).to.match(/^irda: cannot open USB dongle ffff:fffe: (no USB IrDA dongle ffff:fffe present|USB dongles need the optional "usb" package)/)
    const both = irda(['discover', '--usb', '0', '--port', '/dev/null'])
    expect(both.status).to.equal(2)
    expect(both.stderr.trim()).to.equal('irda: choose one of --emulator, --room, --port and --usb, not --port and --usb')
    for (const cmd of [['dump', '--usb', 'ffff:fffe'], ['attach', '--usb', 'ffff:fffe'], ['view', '--usb', 'ffff:fffe']]) {
      const r2 = irda(cmd)
      expect(r2.status, cmd.join(' ')).to.equal(2)
      expect(r2.stderr.trim()).to.match(/^irda: cannot open USB dongle ffff:fffe: /)
    }
    for (const cmd of ['dump', 'view']) {
      const two = irda([cmd, '--usb', '0', '--port', '/dev/null'])
      expect(two.status, cmd).to.equal(2)
      expect(two.stderr.trim(), cmd).to.match(/^irda: choose one source: .*--usb <vid:pid\|index>/)
    }
    const bad = irda(['ping', '--usb', 'not-a-dongle'])
    expect(bad.status).to.equal(2)
    expect(bad.stderr).to.match(/give vid:pid in hex/)
  })
})

describe('cli: irda usb-redir (against a fake qemu usb-redir socket)', () => {
  it('plugs the model in (hello, device_connect with its VID:PID), and reports when qemu closes the socket', async function () {
    this.timeout(60_000)
    const { createServer } = await import('node:net')
    const { join } = await import('node:path')
    const { spawn } = await import('node:child_process')
    const { usbredirWire: W } = await import('@irdakit/usb')
    const path = join(testDir('irdakit-cli-ur-'), 'ur.sock')
    let connectBody: Buffer | undefined
    const server = createServer(sock => {
      const reader = new W.PacketReader()
      const caps = Buffer.alloc(4); caps.writeUInt32LE(0xFF)
      sock.write(W.encodePacket(W.T.hello, 0n, Buffer.concat([Buffer.from('fake qemu'.padEnd(64, '\0')), caps]), false))
      sock.on('data', d => {
        for (const p of reader.push(d)) {
          if (p.type === W.T.hello) { reader.ids64 = true; const rest = reader.rest(); if (rest.length > 0) sock.emit('data', rest); return }
          if (p.type === W.T.deviceConnect) { connectBody = Buffer.from(p.body); sock.end() }
        }
      })
    })
    await new Promise<void>(resolve => server.listen(path, resolve))
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', main, 'usb-redir', '--model', 'mcs7780', '--socket', path, '--json'], { env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    child.stdout.on('data', d => { stdout += String(d) })
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
    server.close()
    expect(code, stdout).to.equal(0)
    expect(connectBody!.readUInt16LE(4)).to.equal(0x9710)
    expect(connectBody!.readUInt16LE(6)).to.equal(0x7780)
    const events = stdout.trim().split('\n').map(l => JSON.parse(l) as { event: string, id?: string, refused?: number })
    expect(events[0]).to.include({ event: 'plugged', id: '9710:7780' })
    expect(events.at(-1)).to.include({ event: 'summary', refused: 0 })
  })
  it('--room: the model\'s IR side joins the room irda room serve serves, and leaves it at the unplug', async function () {
    this.timeout(120_000)
    const { createServer } = await import('node:net')
    const { join } = await import('node:path')
    const { usbredirWire: W } = await import('@irdakit/usb')
    const { IrdaProcess } = await import('./irda-process.js')
    const dir = testDir('irdakit-cli-ur-room-')
    const roomSocket = join(dir, 'room.sock')
    const room = new IrdaProcess(['room', 'serve', '--socket', roomSocket])
    try {
      await room.waitFor(/serving an emulated room on /, 60_000)
      const path = join(dir, 'ur.sock')
      let unplug = (): void => {}
      const server = createServer(sock => {
        const reader = new W.PacketReader()
        const caps = Buffer.alloc(4); caps.writeUInt32LE(0xFF)
        sock.write(W.encodePacket(W.T.hello, 0n, Buffer.concat([Buffer.from('fake qemu'.padEnd(64, '\0')), caps]), false))
        unplug = () => { sock.end() }
        sock.on('data', d => {
          for (const p of reader.push(d)) {
            if (p.type === W.T.hello) { reader.ids64 = true; const rest = reader.rest(); if (rest.length > 0) sock.emit('data', rest); return }
          }
        })
      })
      await new Promise<void>(resolve => server.listen(path, resolve))
      const redir = new IrdaProcess(['usb-redir', '--model', 'ksdazzle', '--socket', path, '--room', roomSocket])
      await redir.waitFor(/^plugged a ksdazzle model \(07d0:4100\) into .*; IR side: the room on /m, 60_000)
      const joined = await room.waitFor(/\+ (usb-ksdazzle-\d+) joined/, 60_000)
      unplug()
      const run = await redir.done()
      server.close()
      expect(run.status, run.stderr).to.equal(0)
      await room.waitFor(new RegExp(`- ${joined[1]} left`), 60_000)
    } finally {
      await room.stop('SIGINT')
    }
  })
})
