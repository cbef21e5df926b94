/*!
 * Serial faults on real ptys (socat), real time, every wait bounded: garbage bursts written
 * into the line while two stacks move data through the Node IrSock API, and the ptys vanishing
 * mid-transfer. Part of issue 13's standing reliability suite.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer, type IrSocket } from '@irdakit/irsock'
import { SeededRandom } from '@irdakit/core'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from './socat.js'

const SPEEDS = [9600, 19200, 38400, 57600, 115200]

/** Deterministic bytes. */
const payload = (n: number): Buffer => Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 0xFF))

interface World { pty: PtyPair, ports: SerialIrdaPort[], client: IrdaStack, server: IrdaStack }

async function world (seed: number): Promise<World> {
  const pty = await ptyPair()
  const a = await within(3000, openSerialPort({ path: pty.a, dongle: 'none' }), 'open a')
  const b = await within(3000, openSerialPort({ path: pty.b, dongle: 'none' }), 'open b')
  // A 3 s link-disconnect time keeps the bounded waits short should a side wait for its timer.
  const client = IrdaStack.create({ port: a, nickname: 'client', seed: seed * 10 + 1, qos: { speeds: SPEEDS, linkDisconnectMs: 3000 } })
  const server = IrdaStack.create({ port: b, nickname: 'server', seed: seed * 10 + 2, qos: { speeds: SPEEDS, linkDisconnectMs: 3000 } })
  return { pty, ports: [a, b], client, server }
}

async function teardown (w: World | undefined): Promise<void> {
  if (w === undefined) return
  await within(5000, Promise.allSettled([w.client.close(), w.server.close()]), 'close the stacks').catch(() => {})
  for (const p of w.ports) if (!p.closed) await within(2000, p.close(), 'close a port').catch(() => {})
  w.pty.kill()
}

/** Resolves with the socket's error code, or 'orderly end' / 'closed' when it ended without one. */
function outcome (s: IrSocket): Promise<string> {
  return new Promise(resolve => {
    s.once('error', (e: Error & { code?: string }) => { resolve(e.code ?? e.message) })
    s.once('end', () => { resolve('orderly end') })
    s.once('close', () => { resolve('closed') })
  })
}

/**
 * A connected client socket. In real time on a loaded machine (cold JIT, two cores shared) a
 * first connect can time out; like applications, try again, up to three times.
 */
async function connected (client: IrdaStack, server: IrdaStack): Promise<IrSocket> {
  let last = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = connect(client, { service: 'Faults', deviceAddress: server.deviceAddress })
    const r = await within(15_000, new Promise<string>(resolve => {
      c.once('connect', () => { resolve('connected') })
      c.once('error', (e: Error & { code?: string }) => { resolve(e.code ?? e.message) })
    }), 'connect')
    if (r === 'connected') return c
    last = r
  }
  throw new Error(`connect failed three times, last with ${last}`)
}

async function writeAll (s: IrSocket, data: Buffer): Promise<void> {
  for (let off = 0; off < data.length && !s.destroyed; off += 4096) {
    if (!s.write(data.subarray(off, off + 4096))) {
      await new Promise<void>(resolve => { const done = (): void => { s.off('drain', done); s.off('close', done); resolve() }; s.on('drain', done); s.on('close', done) })
    }
  }
  if (!s.destroyed) s.end()
}

describe('serial faults over socat ptys (real time, bounded waits; issue 13)', function () {
  // The bounded waits below add up to more than a minute on a loaded machine.
  this.timeout(120_000)
  beforeEach(function () { skipWithoutSocat(this) })

  it('garbage bursts written into the line both ways are counted and dropped; the data arrives exactly', async () => {
    let w: World | undefined
    const fds: number[] = []
    try {
      w = await world(31)
      const { client, server, pty } = w
      const data = payload(60_000)
      const hash = createHash('sha256')
      let received = 0
      const done = new Promise<string>(resolve => {
        createServer(server, s => {
          s.on('data', (chunk: Buffer) => { hash.update(chunk); received += chunk.length })
          s.once('error', (e: Error & { code?: string }) => { resolve(e.code ?? e.message) })
          s.once('end', () => { resolve('end') })
        }).listen({ service: 'Faults' })
      })
      const c = await connected(client, server)
      const clientOutcome = outcome(c)
      // A second writer on each pty: its bytes go down the line between (or into) the stacks' frames.
      fds.push(openSync(pty.a, 'w'), openSync(pty.b, 'w'))
      const rng = new SeededRandom(31)
      let bursts = 0
      const injector = setInterval(() => {
        const burst = Uint8Array.from({ length: 1 + rng.int(48) }, () => rng.int(4) === 0 ? [0xC0, 0xC1, 0x7D, 0xFF][rng.int(4)] : rng.int(256))
        writeSync(fds[bursts % 2], burst)
        bursts++
      }, 15)
      try {
        void writeAll(c, data)
        expect(await within(40_000, done, 'the transfer under garbage')).to.equal('end')
      } finally { clearInterval(injector) }
      expect(received).to.equal(data.length)
      expect(hash.digest('hex')).to.equal(createHash('sha256').update(data).digest('hex'))
      expect(await within(5000, clientOutcome, 'the client closing')).to.not.match(/^WSA/)
      // The garbage was seen and counted, by both ports, as damaged frames or noise.
      expect(bursts).to.be.greaterThan(20)
      for (const stack of [client, server]) {
        const e = stack.port.stats.rxErrors
        expect(e.fcs + e.abort + e.overrun + e.runt + e.garbage, `${stack === client ? 'client' : 'server'} rx errors`).to.be.greaterThan(0)
      }
    } finally {
      for (const fd of fds) closeSync(fd)
      await teardown(w)
    }
  })

  it('the ptys vanishing mid-transfer end both sockets with errors, after an exact prefix, with no hang', async () => {
    let w: World | undefined
    try {
      w = await world(32)
      const { client, server, pty } = w
      const data = payload(400_000)
      const parts: Buffer[] = []
      let received = 0
      let serverOutcome: Promise<string> | undefined
      const gotSome = new Promise<void>(resolve => {
        createServer(server, s => {
          serverOutcome = outcome(s)
          s.on('data', (chunk: Buffer) => { parts.push(chunk); received += chunk.length; if (received >= 20_000) resolve() })
        }).listen({ service: 'Faults' })
      })
      const c = await connected(client, server)
      const clientOutcome = outcome(c)
      void writeAll(c, data)
      await within(30_000, gotSome, 'the first 20 kB')
      pty.kill()
      const [cs, ss] = await within(10_000, Promise.all([clientOutcome, serverOutcome as Promise<string>]), 'both sockets ending')
      const got = Buffer.concat(parts)
      const seen = `client ${cs}, server ${ss}, ${got.length} bytes read, ports closed: ${w.ports.map(p => p.closed).join('/')}`
      expect(cs, seen).to.match(/^WSAE/)
      expect(ss, seen).to.match(/^WSAE/)
      expect(got.length, seen).to.be.below(data.length)
      expect(got.equals(data.subarray(0, got.length)), 'an exact prefix').to.equal(true)
    } finally {
      await teardown(w)
    }
  })
})
