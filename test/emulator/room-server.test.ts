import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { lstatSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { join } from 'node:path'
import { once } from 'node:events'
import { LinkError, type PortEvent } from '@irdakit/core'
import { connectRoom, serveRoom, watchRoom, ROOM_PROTOCOL, type RoomServer, type RoomServerEvent, type TapRecord } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { readN, echo } from '../helpers/ttp.js'
import { repoRoot } from '../cli/run-irda.js'
import { testDir } from '../helpers/temp-dir.js'

const dir = testDir('irdakit-room-')
let n = 0
const socketPath = (): string => join(dir, `room${++n}.sock`)
const SPEEDS = [9600, 19200, 38400, 57600, 115200]
const QOS = { linkDisconnectMs: 3000 }

/** Writes raw lines to the server and returns what it answered once it closed or `waitMs` passed. */
async function rawExchange (path: string, lines: string[], waitMs = 300): Promise<string> {
  const s = createConnection(path)
  s.setEncoding('utf8')
  let got = ''
  s.on('data', (d: string) => { got += d })
  await once(s, 'connect')
  for (const l of lines) s.write(l)
  await Promise.race([once(s, 'close'), new Promise(resolve => { setTimeout(resolve, waitMs) })])
  s.destroy()
  return got
}

async function until (cond: () => boolean, what: string, limitMs = 5000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => { setTimeout(resolve, 20) })
  }
}

describe('emulator/served room (a Medium over a Unix socket)', function () {
  this.timeout(20_000)
  let server: RoomServer
  let events: RoomServerEvent[]
  beforeEach(async () => {
    events = []
    server = await serveRoom({ path: socketPath(), seed: 3, onEvent: e => { events.push(e) } })
  })
  afterEach(async () => { await server.close() })

  it('carries discovery, an IAS query and a TinyTP echo between two stacks, with a third station watching', async () => {
    const records: TapRecord[] = []
    const watch = await watchRoom(server.address, r => { records.push(r) })
    const a = IrdaStack.create({ port: await connectRoom(server.address, { name: 'A', supportedSpeeds: SPEEDS }), nickname: 'alpha', seed: 11, qos: QOS })
    const b = IrdaStack.create({ port: await connectRoom(server.address, { name: 'B', supportedSpeeds: SPEEDS }), nickname: 'bravo', seed: 12, qos: QOS })
    await until(() => server.stations().length === 2, 'both stations to attach')
    expect(server.stations()).to.deep.equal(['A', 'B'])
    const listener = b.ttpListen()
    b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: listener.lsap })
    listener.on('connection', echo)

    const devices = await a.discover({ slots: 1 })
    expect(devices.map(d => [d.nickname, d.deviceAddress])).to.deep.equal([['bravo', b.deviceAddress]])
    const ias = await a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
    expect(ias.returnCode).to.equal(0)
    expect(ias.entries[0].value).to.deep.equal({ type: 'integer', value: listener.lsap })

    const sock = await a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: listener.lsap })
    const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) & 0xFF)
    sock.write(payload)
    const back = await readN(sock, payload.length)
    expect(Buffer.compare(back, payload)).to.equal(0)
    expect(a.station.link?.baudRate).to.equal(115200)
    await a.close()
    await b.close()

    // The watcher saw both stations' frames, at both speeds, each received intact by the other.
    await until(() => records.length === server.stats().frames, 'the watcher to catch up')
    expect(new Set(records.map(r => r.sender))).to.deep.equal(new Set(['A', 'B']))
    expect(new Set(records.map(r => r.speed))).to.deep.equal(new Set([9600, 115200]))
    const toB = records.filter(r => r.sender === 'A' && r.frame[1] === 0x93) // SNRM
    expect(toB).to.have.length.greaterThan(0)
    expect(toB[0].receptions.find(x => x.station === 'B')?.result).to.equal('good')
    expect(records.every(r => r.end > r.start && r.wire.length > r.frame.length)).to.equal(true)
    expect(watch.epochMs).to.be.closeTo(Date.now() - server.clock.now(), 1000)
    await watch.close()
    expect(await watch.ended).to.equal(undefined)
    expect(server.stats()).to.include({ stationsSeen: 2, badInput: 0 })
  })

  it('detaches a station whose process dies; the peer\'s link then fails without hanging', async function () {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'test/emulator/room-peer.ts', server.address, 'peer'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
      await until(() => out.includes('\n'), 'the peer process to start', 15_000)
      const peerAddress = Number(/ready (\d+)/.exec(out)?.[1])
      const a = IrdaStack.create({ port: await connectRoom(server.address, { name: 'A', supportedSpeeds: [9600, 115200] }), nickname: 'alpha', seed: 21, qos: QOS })
      const ias = await a.iasQuery(peerAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
      const lsap = ias.entries[0].value
      expect(lsap.type).to.equal('integer')
      const sock = await a.ttpConnect({ deviceAddress: peerAddress, remoteLsap: lsap.type === 'integer' ? lsap.value : 0 })
      sock.write(Uint8Array.of(1, 2, 3))
      expect([...await readN(sock, 3)]).to.deep.equal([1, 2, 3])

      child.kill('SIGKILL')
      await until(() => events.some(e => e.type === 'leave' && e.station === 'peer'), 'the server to detach the dead station')
      expect(server.stations()).to.deep.equal(['A'])
      sock.write(Uint8Array.of(4, 5, 6))
      let err: unknown
      try { await readN(sock, 3) } catch (e) { err = e }
      expect(err).to.be.instanceOf(Error)
      expect(sock.closed).to.equal(true)
      await a.close()
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('tells a station the server went away: a closed event with a LinkError', async () => {
    const port = await connectRoom(server.address, { name: 'lonely' })
    const closed: PortEvent[] = []
    port.listen(ev => { if (ev.type === 'closed') closed.push(ev) })
    await server.close()
    await until(() => closed.length > 0, 'the closed event')
    const ev = closed[0]
    expect(ev.type === 'closed' ? ev.error : undefined).to.be.instanceOf(LinkError).with.property('message').that.matches(/went away/)
    expect(() => { port.send(Uint8Array.of(0xFF, 0x3F)) }).to.throw(LinkError)
  })

  it('counts and drops malformed input and keeps serving', async () => {
    const a = await connectRoom(server.address, { name: 'A' })
    // Not JSON, and a stranger's hello: refused, the connection closed.
    expect(await rawExchange(server.address, ['GET / HTTP/1.1\r\n\r\n'])).to.match(/"type":"refused"/)
    // A real hello then garbage, a spoofed sender, a bad speed, bytes that are not base64.
    const hello = JSON.stringify({ type: 'hello', protocol: ROOM_PROTOCOL, version: 1, role: 'station', station: 'mallory' }) + '\n'
    const lines = [
      hello,
      JSON.stringify({ type: 'attach', station: 'mallory', speed: 9600 }) + '\n',
      '{"type":\n',
      JSON.stringify({ type: 'transmit', station: 'A', speed: 9600, xbofs: 0, wire: 'AAAA', frame: 'AAAA' }) + '\n',
      JSON.stringify({ type: 'speed', station: 'mallory', speed: 1234 }) + '\n',
      JSON.stringify({ type: 'transmit', station: 'mallory', speed: 9600, xbofs: 0, wire: '***', frame: 'AAAA' }) + '\n',
      JSON.stringify({ type: 'fly', station: 'mallory' }) + '\n',
    ]
    const answer = await rawExchange(server.address, lines)
    expect(answer).to.match(/"type":"welcome"/)
    expect(server.stats().badInput).to.equal(1 + 5)
    const reasons = events.flatMap(e => e.type === 'bad-input' ? [e.reason] : [])
    expect(reasons.slice(1)).to.deep.equal([
      'not JSON', "a message for station A on mallory's connection", 'speed: not an IrDA speed',
      'transmit: wire and frame must be base64 bytes', 'unknown message type',
    ])
    // The good station is still served, and mallory's attach counted as a visit that ended.
    await until(() => !server.stations().includes('mallory'), 'mallory to be detached')
    expect(server.stations()).to.deep.equal(['A'])
    const b = await connectRoom(server.address, { name: 'B' })
    const heard: PortEvent[] = []
    b.listen(ev => { heard.push(ev) })
    a.send(Uint8Array.of(0xFF, 0x3F, 1, 2))
    await until(() => heard.some(e => e.type === 'frame'), 'B to hear A')
    const frame = heard.find(e => e.type === 'frame')
    expect(frame?.type === 'frame' ? [...frame.frame] : []).to.deep.equal([0xFF, 0x3F, 1, 2])
    await a.close()
    await b.close()
  })

  it('refuses a name in use and a protocol version it does not speak, in one line', async () => {
    const a = await connectRoom(server.address, { name: 'A' })
    let err: unknown
    try { await connectRoom(server.address, { name: 'A' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError).with.property('message', `room ${server.address}: a station named A is already in the room`)
    const answer = await rawExchange(server.address, [JSON.stringify({ type: 'hello', protocol: ROOM_PROTOCOL, version: 99, role: 'watch' }) + '\n'])
    expect(JSON.parse(answer)).to.deep.include({ type: 'refused', reason: 'protocol version 99 is not supported (this server speaks 1)' })
    await a.close()
  })
})

describe('emulator/served room: addresses', () => {
  it('says plainly when nobody serves a room at the path, or a stranger does', async () => {
    const missing = join(dir, 'nobody.sock')
    let err: unknown
    try { await connectRoom(missing, { name: 'A' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError).with.property('message', `room ${missing}: no room is served there (ENOENT)`)

    const stranger = createServer(s => { s.end('SSH-2.0-OpenSSH_9.6\r\n') })
    const path = socketPath()
    await new Promise<void>(resolve => { stranger.listen(path, resolve) })
    try {
      err = undefined
      try { await watchRoom(path, () => {}) } catch (e) { err = e }
      expect(err).to.be.instanceOf(LinkError).with.property('message').that.matches(/^room .*: not a room server \(not JSON\)$/)
    } finally {
      stranger.close()
    }
  })

  it('takes over a stale socket file, but not a live room or a plain file', async () => {
    const path = socketPath()
    const first = await serveRoom({ path })
    let err: unknown
    try { await serveRoom({ path }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError).with.property('message', `a room is already served at ${path}`)
    await first.close()

    // A server killed before it could clean up leaves its socket file behind.
    const stale = socketPath()
    const dead = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`])
    expect(dead.signal).to.equal('SIGKILL')
    expect(lstatSync(stale).isSocket()).to.equal(true)
    const second = await serveRoom({ path: stale })
    const port = await connectRoom(stale, { name: 'A' })
    await until(() => second.stations().length > 0, 'the station to attach')
    expect(second.stations()).to.deep.equal(['A'])
    await port.close()
    await second.close()

    const plain = join(dir, 'plain-file')
    writeFileSync(plain, 'x')
    err = undefined
    try { await serveRoom({ path: plain }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(LinkError).with.property('message').that.matches(/the path exists and is not a socket/)
  })
})
