/*!
 * A 1 MiB echo through both IrSock APIs, in virtual time, with every byte compared:
 * Node client and server, Winsock client and server, and the two crossed.
 */
import { expect } from 'chai'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createIrSock, createServer, type IrSock, type IrSocket } from '@irdakit/irsock'
import { AF_IRDA, deviceIdFromAddress, encodeSockaddrIrda } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'

const MIB = 1024 * 1024
const FIR = [9600, 115200, 4000000]
const SIR = [9600, 115200]

/** Deterministic pseudo-random bytes (xorshift32). */
function noise (n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xFF }
  return b
}

interface Setup { room: Room, client: IrdaStack, server: IrdaStack }

function setup (seed: number, speeds = FIR): Setup {
  const room = new Room({ time: 'virtual', seed })
  const client = IrdaStack.create({ port: room.port('client', { supportedSpeeds: speeds }), nickname: 'client', seed: seed * 10 + 1 })
  const server = IrdaStack.create({ port: room.port('server', { supportedSpeeds: speeds }), nickname: 'server', seed: seed * 10 + 2 })
  return { room, client, server }
}

const sockaddr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })

function startedIrSock (stack: IrdaStack): IrSock {
  const S = createIrSock(stack)
  expect(S.WSAStartup(0x0202)).to.equal(0)
  return S
}

/** Winsock server: bind, listen, accept one connection, send back everything it receives until the peer closes. */
async function winsockEchoServer (S: IrSock, service: string): Promise<number> {
  const ls = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(S.bind(ls, sockaddr(0, service))).to.equal(0)
  expect(S.listen(ls, 1)).to.equal(0)
  const s = await S.accept(ls)
  expect(s).to.not.equal(W.INVALID_SOCKET)
  const buf = new Uint8Array(8192)
  let echoed = 0
  for (;;) {
    const n = await S.recv(s, buf)
    if (n === 0) break
    expect(n, `server recv error ${S.WSAGetLastError()}`).to.be.greaterThan(0)
    expect(await S.send(s, buf, n), `server send error ${S.WSAGetLastError()}`).to.equal(n)
    echoed += n
  }
  S.closesocket(s)
  S.closesocket(ls)
  return echoed
}

/** Winsock client: connect, send `data` in 4 KiB calls while a second loop receives it back; then close. */
async function winsockEchoClient (S: IrSock, device: number, service: string, data: Uint8Array): Promise<Buffer> {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(await S.connect(s, sockaddr(device, service)), `connect error ${S.WSAGetLastError()}`).to.equal(0)
  const sending = (async () => {
    for (let off = 0; off < data.length; off += 4096) {
      const len = Math.min(4096, data.length - off)
      expect(await S.send(s, data.subarray(off, off + len)), `client send error ${S.WSAGetLastError()}`).to.equal(len)
    }
  })()
  const back = Buffer.alloc(data.length)
  let got = 0
  const buf = new Uint8Array(8192)
  while (got < data.length) {
    const n = await S.recv(s, buf)
    expect(n, `client recv error ${S.WSAGetLastError()}`).to.be.greaterThan(0)
    back.set(buf.subarray(0, n), got)
    got += n
  }
  await sending
  expect(S.closesocket(s)).to.equal(0)
  return back
}

/** Node client: writes `data` with backpressure while reading the echo; ends once all came back. */
async function nodeEchoClient (c: IrSocket, data: Buffer): Promise<Buffer> {
  const parts: Buffer[] = []
  let got = 0
  const received = new Promise<void>((resolve, reject) => {
    c.on('data', (chunk: Buffer) => { parts.push(chunk); got += chunk.length; if (got >= data.length) resolve() })
    c.once('error', reject)
  })
  await once(c, 'connect')
  for (let off = 0; off < data.length; off += 4096) {
    if (!c.write(data.subarray(off, off + 4096))) await once(c, 'drain')
  }
  await received
  const closed = once(c, 'close')
  c.end()
  await closed
  return Buffer.concat(parts)
}

/**
 * The link ran at `bps`, and the echo (1 MiB each way, 2 MiB over one half-duplex line) took
 * virtual time no shorter than the line allows: SIR sends 10 bits per byte, FIR at least 8.
 */
function checkRate (room: Room, t0: number, client: IrdaStack, bps: number): void {
  const seconds = (room.clock.now() - t0) / 1000
  expect(client.station.link?.baudRate, 'negotiated speed').to.equal(bps)
  const bitsPerByte = bps <= 115200 ? 10 : 8
  expect(2 * MIB * bitsPerByte / seconds, 'goodput within the line rate').to.be.below(bps)
}

describe('irsock/1 MiB echo through both APIs', function () {
  this.timeout(120_000)
  const data = noise(MIB, 0x1E5)

  for (const [bps, speeds] of [[4000000, FIR], [115200, SIR]] as const) {
    it(`Node client and Node server at ${bps} bit/s`, async () => {
      const { room, client, server } = setup(501, speeds)
      const srv = createServer(server, s => { s.pipe(s) })
      srv.listen({ service: 'Echo' })
      const t0 = room.clock.now()
      const back = await room.run(nodeEchoClient(connect(client, { service: 'Echo', deviceAddress: server.deviceAddress }), data))
      checkRate(room, t0, client, bps)
      expect(back.length).to.equal(MIB)
      expect(back.equals(data)).to.equal(true)
      // Deterministic (virtual time, seeded), so the README must quote what this run measures.
      const seconds = (room.clock.now() - t0) / 1000
      const ofLine = Math.round(100 * 2 * MIB * (bps <= 115200 ? 10 : 8) / seconds / bps)
      const kBs = 2 * MIB / seconds / 1000
      const quoted = bps === 115200 ? `at 115200 bit/s ${kBs.toFixed(2)} kB/s, ${ofLine}% of the serial byte rate` : `at 4 Mbit/s ${kBs.toFixed(1)} kB/s both ways together, ${ofLine}% of the line`
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
      expect(readme, 'the README\'s 1 MiB echo figure is stale').to.contain(quoted)
    })
  }

  it('Winsock client and Winsock server', async () => {
    const { room, client, server } = setup(502)
    const S = startedIrSock(server)
    const C = startedIrSock(client)
    const echoed = winsockEchoServer(S, 'Echo')
    const t0 = room.clock.now()
    const [back, n] = await room.run(Promise.all([winsockEchoClient(C, server.deviceAddress, 'Echo', data), echoed]))
    checkRate(room, t0, client, 4000000)
    expect(n).to.equal(MIB)
    expect(back.equals(data)).to.equal(true)
  })

  it('crossed: Winsock client against a Node server, Node client against a Winsock server', async () => {
    const { room, client, server } = setup(503)
    createServer(server, s => { s.pipe(s) }).listen({ service: 'NodeEcho' })
    const back = await room.run(winsockEchoClient(startedIrSock(client), server.deviceAddress, 'NodeEcho', data))
    expect(back.equals(data)).to.equal(true)

    const echoed = winsockEchoServer(startedIrSock(server), 'WinsockEcho')
    const [back2, n] = await room.run(Promise.all([nodeEchoClient(connect(client, { service: 'WinsockEcho', deviceAddress: server.deviceAddress }), data), echoed]))
    expect(n).to.equal(MIB)
    expect(back2.equals(data)).to.equal(true)
  })
})
