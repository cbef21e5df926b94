import { expect } from 'chai'
import { once } from 'node:events'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer, enumDevices, IrSockError, type IrServer, type IrSocket } from '@irdakit/irsock'
import { deviceIdFromAddress } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

/** Deterministic pseudo-random bytes (xorshift32). */
function noise (n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xFF }
  return b
}

/** Everything the socket delivers until 'end' (rejects on 'error'). */
async function readAll (s: IrSocket): Promise<Buffer> {
  const parts: Buffer[] = []
  s.on('data', (c: Buffer) => parts.push(c))
  await once(s, 'end')
  return Buffer.concat(parts)
}

/** Exactly `n` bytes, then the socket is paused again. */
async function readExactly (s: IrSocket, n: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let got = 0
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      parts.push(c)
      got += c.length
      if (got >= n) { s.off('data', onData); s.off('error', reject); s.pause(); resolve() }
    }
    s.on('data', onData)
    s.once('error', reject)
  })
  return Buffer.concat(parts)
}

/** The 'error' a socket (or server) emits. */
async function failure (e: IrSocket | IrServer): Promise<IrSockError> {
  const [err] = await once(e, 'error') as [unknown]
  expect(err).to.be.instanceOf(IrSockError)
  return err as IrSockError
}

/** Resolves on 'close' (events.once would reject on the 'error' before it). */
async function closed (e: IrSocket | IrServer): Promise<void> {
  await new Promise<void>(resolve => e.once('close', () => resolve()))
}

/** A virtual-time pause of `ms` on the room's clock. */
async function sleep (p: Pair, ms: number): Promise<void> {
  await new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + ms, resolve))
}

function echoServer (p: Pair, service: string): IrServer {
  const server = createServer(p.b, s => { s.pipe(s) })
  server.listen({ service })
  return server
}

describe('irsock/node API: connect and listen', () => {
  it('round-trips exact bytes to a service found by IAS, with the connection described on both sides', async () => {
    const p = pair(101)
    const server = createServer(p.b)
    let accepted: IrSocket | undefined
    server.on('connection', s => { accepted = s; s.pipe(s) })
    server.listen({ service: 'Echo' })
    await p.room.run(once(server, 'listening'))
    const addr = server.address()
    expect(addr?.service).to.equal('Echo')
    expect(p.b.ias.findByClass('Echo')[0].attributes.get('IrDA:TinyTP:LsapSel')).to.deep.include({ type: 'integer', value: addr?.lsap })

    const c = connect(p.a, { service: 'Echo', deviceAddress: p.b.deviceAddress })
    expect(c.connecting).to.equal(true)
    await p.room.run(once(c, 'connect'))
    expect(c.connecting).to.equal(false)
    expect(c.deviceAddress).to.equal(p.b.deviceAddress)
    expect(c.remoteLsap).to.equal(addr?.lsap)
    expect(accepted?.localLsap).to.equal(addr?.lsap)
    expect(accepted?.remoteLsap).to.equal(c.localLsap)
    expect(accepted?.deviceAddress).to.equal(p.a.deviceAddress)
    expect(accepted?.service).to.equal('Echo')
    expect(c.maxSduSize).to.be.greaterThan(0)

    const data = noise(20_000, 7)
    c.write(data)
    const back = await p.room.run(readExactly(c, data.length))
    expect(back.equals(data)).to.equal(true)
    expect(c.bytesWritten).to.equal(data.length)
    expect(c.bytesRead).to.equal(data.length)
    expect(accepted?.bytesRead).to.equal(data.length)
    c.end()
    await p.room.run(Promise.all([closed(c), closed(accepted as IrSocket)]))
  })

  it('binds LSAP-SELxxx without IAS, and connects to it without a query', async () => {
    const p = pair(102)
    const server = echoServer(p, 'LSAP-SEL42')
    await p.room.run(once(server, 'listening'))
    expect(server.address()).to.deep.equal({ service: 'LSAP-SEL42', lsap: 42 })
    expect(p.b.ias.findByClass('LSAP-SEL42')).to.have.length(0)
    const queries: number[] = []
    // An IAS connection targets selector 0 on the peer: no frame to LSAP 0 means no query.
    const c = connect(p.a, { service: 'LSAP-SEL42', deviceAddress: p.b.deviceAddress })
    p.a.onFrame(r => { if (r.direction === 'out' && r.frame.length > 3 && (r.frame[1] & 1) === 0 && (r.frame[2] & 0x7F) === 0) queries.push(r.frame[2]) })
    await p.room.run(once(c, 'connect'))
    expect(c.remoteLsap).to.equal(42)
    expect(queries).to.have.length(0)
    c.write('hello, selector 42')
    expect((await p.room.run(readExactly(c, 18))).toString()).to.equal('hello, selector 42')
    c.destroy()
  })

  it('refuses a service the peer does not offer with WSAECONNREFUSED (error then close)', async () => {
    const p = pair(103)
    const c = connect(p.a, { service: 'Nothing', deviceAddress: p.b.deviceAddress })
    const events: string[] = []
    c.on('error', () => events.push('error'))
    c.on('close', () => events.push('close'))
    c.on('connect', () => events.push('connect'))
    const cClosed = closed(c)
    const err = await p.room.run(failure(c))
    expect(err).to.include({ code: 'WSAECONNREFUSED', errno: 10061, syscall: 'connect' })
    await p.room.run(cClosed)
    expect(events).to.deep.equal(['error', 'close'])
    // a selector nobody listens on is refused too (IrLMP "no client")
    const c2 = connect(p.a, { service: 'LSAP-SEL99', deviceAddress: p.b.deviceAddress })
    expect(await p.room.run(failure(c2))).to.include({ code: 'WSAECONNREFUSED', errno: W.WSAECONNREFUSED })
  })

  it('reports listen failures asynchronously as WSAEADDRINUSE / WSAEADDRNOTAVAIL errors', async () => {
    const p = pair(104)
    const first = echoServer(p, 'Svc')
    await p.room.run(once(first, 'listening'))
    const second = createServer(p.b).listen({ service: 'Svc' }) // returns; does not throw
    expect(await p.room.run(failure(second))).to.include({ code: 'WSAEADDRINUSE', errno: 10048, syscall: 'listen' })
    expect(second.listening).to.equal(false)
    first.listen({ service: 'Other' })
    expect(await p.room.run(failure(first))).to.include({ code: 'WSAEADDRINUSE' })
    expect(first.address()?.service).to.equal('Svc')
    const fixedTwice = createServer(p.b).listen({ service: 'LSAP-SEL20' })
    await p.room.run(once(fixedTwice, 'listening'))
    expect(await p.room.run(failure(createServer(p.b).listen({ service: 'LSAP-SEL20' })))).to.include({ code: 'WSAEADDRINUSE' })
    expect(await p.room.run(failure(createServer(p.b).listen({ service: 'LSAP-SEL200' })))).to.include({ code: 'WSAEADDRNOTAVAIL' })
  })
})

describe('irsock/node API: connect by discovery', () => {
  it('finds the one device offering the service among those that answer', async () => {
    const p = pair(111)
    const other = IrdaStack.create({ port: p.room.port('C', { supportedSpeeds: [9600, 115200] }), nickname: 'other', seed: 1113 })
    echoServer(p, 'Finder')
    createServer(other, s => { s.pipe(s) }).listen({ service: 'Elsewhere' })
    const c = connect(p.a, { service: 'Finder' })
    await p.room.run(once(c, 'connect'))
    expect(c.deviceAddress).to.equal(p.b.deviceAddress)
    c.write('found')
    expect((await p.room.run(readExactly(c, 5))).toString()).to.equal('found')
    c.destroy()
  })

  it('is WSAECONNREFUSED when devices answer but none offers it, WSAETIMEDOUT when nobody answers', async () => {
    const p = pair(112)
    const c = connect(p.a, { service: 'Finder' })
    expect(await p.room.run(failure(c))).to.include({ code: 'WSAECONNREFUSED', syscall: 'connect' })
    const lonely = pair(113)
    await lonely.room.run(lonely.b.close())
    const c2 = connect(lonely.a, { service: 'Finder' })
    const t0 = lonely.room.clock.now()
    const err = await lonely.room.run(failure(c2))
    expect(err).to.include({ code: 'WSAETIMEDOUT', errno: W.WSAETIMEDOUT, syscall: 'connect' })
    expect(err.message).to.match(/no device answered discovery/)
    expect(lonely.room.clock.now() - t0, 'three discovery rounds take time').to.be.greaterThan(0)
  })

  it('is WSAEADDRNOTAVAIL naming both devices when two offer the service', async () => {
    const p = pair(114)
    const third = IrdaStack.create({ port: p.room.port('C', { supportedSpeeds: [9600, 115200] }), nickname: 'second', seed: 1143 })
    echoServer(p, 'Twin')
    createServer(third, s => { s.pipe(s) }).listen({ service: 'Twin' })
    const c = connect(p.a, { service: 'Twin' })
    const err = await p.room.run(failure(c))
    expect(err).to.include({ code: 'WSAEADDRNOTAVAIL', errno: 10049, syscall: 'connect' })
    const hex = (a: number): string => (a >>> 0).toString(16).padStart(8, '0')
    expect(err.message).to.include(hex(p.b.deviceAddress)).and.to.include(hex(third.deviceAddress))
    // naming the device settles it
    const c2 = connect(p.a, { service: 'Twin', deviceAddress: third.deviceAddress })
    await p.room.run(once(c2, 'connect'))
    expect(c2.deviceAddress).to.equal(third.deviceAddress)
    c2.destroy()
  })
})

describe('irsock/node API: backlog', () => {
  it('queues up to 2 connections while paused and refuses the 3rd with WSAECONNREFUSED', async () => {
    const p = pair(121)
    const seen: IrSocket[] = []
    const server = createServer(p.b, s => seen.push(s))
    server.listen({ service: 'Busy', backlog: 5 })
    expect(server.backlog, 'IrDA caps the backlog at 2').to.equal(2)
    server.pause()
    const c1 = connect(p.a, { service: 'Busy', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c1, 'connect'))
    const c2 = connect(p.a, { service: 'Busy', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c2, 'connect'))
    expect(server.queued).to.equal(2)
    const c3 = connect(p.a, { service: 'Busy', deviceAddress: p.b.deviceAddress })
    expect(await p.room.run(failure(c3))).to.include({ code: 'WSAECONNREFUSED', errno: 10061, syscall: 'connect' })
    expect(seen).to.have.length(0)
    server.resume()
    await p.room.run(sleep(p, 1))
    expect(seen).to.have.length(2)
    expect(server.queued).to.equal(0)
    // the queued connections work; data written while queued waited in TinyTP
    c1.write('one')
    c2.write('two')
    expect((await p.room.run(readExactly(seen[0], 3))).toString()).to.equal('one')
    expect((await p.room.run(readExactly(seen[1], 3))).toString()).to.equal('two')
    // flowing again: a third connection is emitted at once
    const c4 = connect(p.a, { service: 'Busy', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c4, 'connect'))
    await p.room.run(sleep(p, 1))
    expect(seen).to.have.length(3)
  })

  it('queues while nobody listens for connections (backlog 1 refuses the 2nd)', async () => {
    const p = pair(122)
    const server = createServer(p.b).listen({ service: 'Late', backlog: 0 })
    expect(server.backlog).to.equal(1)
    const c1 = connect(p.a, { service: 'Late', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c1, 'connect'))
    const c2 = connect(p.a, { service: 'Late', deviceAddress: p.b.deviceAddress })
    expect(await p.room.run(failure(c2))).to.include({ code: 'WSAECONNREFUSED' })
    const [s] = await p.room.run(once(server, 'connection')) as [IrSocket]
    expect(s.remoteLsap).to.equal(c1.localLsap)
  })

  it('hands out queued connections their peers already closed, with their data, and close() does not wait for them', async () => {
    const p = pair(123)
    const server = createServer(p.b).listen({ service: 'Gone' }).pause()
    const handed: IrSocket[] = []
    server.on('connection', s => handed.push(s))
    const talker = connect(p.a, { service: 'Gone', deviceAddress: p.b.deviceAddress })
    talker.end('last words')
    await p.room.run(closed(talker))
    const silent = connect(p.a, { service: 'Gone', deviceAddress: p.b.deviceAddress })
    silent.end()
    await p.room.run(closed(silent))
    await p.room.run(sleep(p, 100))
    expect(server.queued).to.equal(2)
    server.resume()
    await p.room.run(sleep(p, 1))
    expect(handed).to.have.length(2)
    const [s, t] = handed
    expect(t.closed, 'nothing left to read: ended while queued').to.equal(true)
    const sClosed = closed(s)
    expect((await p.room.run(readAll(s))).toString()).to.equal('last words')
    await p.room.run(sClosed)
    server.close()
    await p.room.run(closed(server))
  })
})

describe('irsock/node API: backpressure is TinyTP credit', () => {
  it('a receiver that does not read blocks the sender within window + highWaterMark; reading delivers every byte', async () => {
    const p = pair(131)
    const hwm = 4096
    const server = createServer(p.b, { readableHighWaterMark: hwm, rxWindow: 8 })
    server.listen({ service: 'Slow' })
    const c = connect(p.a, { service: 'Slow', deviceAddress: p.b.deviceAddress })
    const [[r]] = await p.room.run(Promise.all([once(server, 'connection') as Promise<[IrSocket]>, once(c, 'connect')]))
    r.on('readable', () => {}) // paused mode: the stream fills to its highWaterMark, nothing consumes it
    const data = noise(200_000, 31)
    let offset = 0
    while (offset < data.length && c.write(data.subarray(offset, offset + 1024))) offset += 1024
    offset += 1024
    expect(c.writableNeedDrain, 'Node buffer full at once').to.equal(true)
    await p.room.run(sleep(p, 5000))
    const held = (): number => r.readableLength + r.ttpReadableBytes
    const seg = c.maxSduSize as number
    const first = held()
    expect(first, 'the receiver holds data').to.be.greaterThan(0)
    expect(r.ttpReadableBytes, 'TinyTP holds at most its window').to.be.at.most(8 * seg)
    expect(r.readableLength, 'the stream holds about its highWaterMark').to.be.at.most(hwm + seg)
    expect(first).to.be.at.most(8 * seg + hwm + seg)
    expect(c.writableNeedDrain, 'the sender is still blocked').to.equal(true)
    expect(c.ttpQueuedBytes, 'an SDU waits for credit').to.be.greaterThan(0)
    await p.room.run(sleep(p, 5000))
    expect(held(), 'nothing more arrived: no credit went back').to.equal(first)
    // now read: the rest flows, exactly
    r.removeAllListeners('readable')
    const all = readAll(r)
    const rest = (async () => {
      while (offset < data.length) {
        if (!c.write(data.subarray(offset, offset + 1024))) await once(c, 'drain')
        offset += 1024
      }
      c.end()
    })()
    const got = await p.room.run(Promise.all([all, rest]).then(([b]) => b))
    expect(got.length).to.equal(data.length)
    expect(got.equals(data)).to.equal(true)
  })
})

describe('irsock/node API: end, destroy and errors', () => {
  it('end() flushes every queued byte before the disconnect; the peer sees end then close', async () => {
    // 60 kB is more than TinyTP's credit: end() must wait for it. At 115200 the last frames are
    // still in IrLAP when IrLMP's 2 s idle-link timer runs out: the link must not drop them.
    const room = new Room({ time: 'virtual', seed: 141 })
    const station = (name: string, seed: number): IrdaStack => IrdaStack.create({ port: room.port(name, { supportedSpeeds: [9600, 115200] }), nickname: name, seed })
    const p = { room, a: station('A', 1411), b: station('B', 1412) }
    const server = createServer(p.b).listen({ service: 'Sink' })
    const c = connect(p.a, { service: 'Sink', deviceAddress: p.b.deviceAddress })
    const data = noise(60_000, 41)
    c.end(data) // before 'connect': written once connected, then flushed and disconnected
    const [s] = await p.room.run(once(server, 'connection')) as [IrSocket]
    const bothClosed = Promise.all([closed(s), closed(c)])
    const order: string[] = []
    s.on('end', () => order.push('end'))
    s.on('close', () => order.push('close'))
    c.on('finish', () => order.push('client finish'))
    const got = await p.room.run(readAll(s))
    await p.room.run(bothClosed)
    expect(got.equals(data)).to.equal(true)
    expect(order).to.include.members(['end', 'close', 'client finish'])
    expect(order.indexOf('end')).to.be.below(order.indexOf('close'))
    expect(s.errored).to.equal(null)
    expect(c.errored).to.equal(null)
  })

  it('a peer closing while our write waits for credit is WSAECONNRESET on write; destroy() closes without error', async () => {
    const p = pair(142)
    const server = createServer(p.b, { rxWindow: 2 }).listen({ service: 'Drop' })
    const c = connect(p.a, { service: 'Drop', deviceAddress: p.b.deviceAddress })
    const [[s]] = await p.room.run(Promise.all([once(server, 'connection') as Promise<[IrSocket]>, once(c, 'connect')]))
    c.write(noise(50_000, 5)) // more than two PDUs of credit: the write waits
    await p.room.run(sleep(p, 2000))
    expect(c.ttpQueuedBytes).to.be.greaterThan(0)
    const bothClosed = Promise.all([closed(s), closed(c)])
    s.destroy()
    const err = await p.room.run(failure(c))
    expect(err).to.include({ code: 'WSAECONNRESET', errno: 10054, syscall: 'write' })
    await p.room.run(bothClosed)
    expect(s.errored).to.equal(null)
  })

  it('resetAndDestroy() resets (IrLMP 0xFF): the peer gets WSAECONNRESET on read, no end; a socket still connecting gives up', async () => {
    const p = pair(144)
    const server = createServer(p.b).listen({ service: 'Rst' })
    const c = connect(p.a, { service: 'Rst', deviceAddress: p.b.deviceAddress })
    const [[s]] = await p.room.run(Promise.all([once(server, 'connection') as Promise<[IrSocket]>, once(c, 'connect')]))
    let ended = false
    s.on('end', () => { ended = true })
    s.resume()
    expect(c.resetAndDestroy()).to.equal(c)
    const err = await p.room.run(failure(s))
    expect(err).to.include({ code: 'WSAECONNRESET', errno: 10054, syscall: 'read' })
    expect(ended).to.equal(false)
    expect(c.errored).to.equal(null)

    let later = 0
    server.on('connection', () => { later++ })
    const early = connect(p.a, { service: 'Rst', deviceAddress: p.b.deviceAddress })
    early.resetAndDestroy() // still querying IAS: it gives up before any TinyTP connect
    await p.room.run(closed(early))
    await p.room.run(sleep(p, 3000))
    expect(later).to.equal(0)
  })

  it('a blocked beam mid-transfer errors both sides with WSAECONNABORTED, never WSAENETDOWN', async () => {
    const p = pair(143)
    const server = createServer(p.b).listen({ service: 'Beam' })
    const c = connect(p.a, { service: 'Beam', deviceAddress: p.b.deviceAddress })
    const [[s]] = await p.room.run(Promise.all([once(server, 'connection') as Promise<[IrSocket]>, once(c, 'connect')]))
    s.resume() // consume
    const big = noise(400_000, 9)
    c.write(big)
    await p.room.run(sleep(p, 500))
    expect(s.bytesRead, 'the transfer is under way').to.be.greaterThan(0).and.below(big.length)
    const t0 = p.room.clock.now()
    p.room.faults({ obstructions: [{ from: t0, to: t0 + 60_000 }] })
    const bothClosed = Promise.all([closed(c), closed(s)])
    const [ec, es] = await p.room.run(Promise.all([failure(c), failure(s)]))
    for (const e of [ec, es]) {
      expect(e.code).to.not.equal('WSAENETDOWN')
      expect(e.errno).to.not.equal(W.WSAENETDOWN)
      expect(e).to.include({ code: 'WSAECONNABORTED', errno: 10053 })
    }
    expect(ec.syscall, 'the client was writing').to.equal('write')
    expect(es.syscall, 'the server was reading').to.equal('read')
    await p.room.run(bothClosed)
    expect(p.room.clock.now() - t0, 'detected by IrLAP timers, not a hang').to.be.below(60_000)
  })
})

describe('irsock/node API: enumDevices and server.close', () => {
  it('returns typed device records with decoded hints, and retries an empty discovery 3 rounds', async () => {
    const p = pair(151)
    const phone = IrdaStack.create({ port: p.room.port('C', { supportedSpeeds: [9600] }), nickname: 'phone', hints: [0x92, 0x24], charset: 1, seed: 1513 })
    const devices = await p.room.run(enumDevices(p.a))
    const byAddr = new Map(devices.map(d => [d.deviceAddress, d]))
    expect(devices).to.have.length(2)
    expect(byAddr.get(p.b.deviceAddress)).to.deep.include({ name: 'server', hints: [0x04], charset: 0, services: ['Computer'] })
    expect(byAddr.get(phone.deviceAddress)).to.deep.include({ name: 'phone', hints: [0x92, 0x24], charset: 1, services: ['PDA', 'Modem', 'IrCOMM', 'IrOBEX'] })
    expect(Array.from(byAddr.get(phone.deviceAddress)?.deviceId ?? [])).to.deep.equal(Array.from(deviceIdFromAddress(phone.deviceAddress)))

    const lonely = pair(152)
    await lonely.room.run(lonely.b.close())
    let xids = 0
    lonely.a.onFrame(r => { if (r.direction === 'out') xids++ })
    expect(await lonely.room.run(enumDevices(lonely.a, { retries: 1 }))).to.deep.equal([])
    const oneRound = xids
    xids = 0
    expect(await lonely.room.run(enumDevices(lonely.a))).to.deep.equal([])
    expect(oneRound).to.be.greaterThan(0)
    expect(xids, 'three rounds by default').to.equal(3 * oneRound)
  })

  it('close() removes the IAS object and refuses new connections; existing ones live on, then close fires', async () => {
    const p = pair(153)
    const server = echoServer(p, 'Closing')
    const c = connect(p.a, { service: 'Closing', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c, 'connect'))
    let serverClosed = false
    server.close(() => { serverClosed = true })
    expect(server.listening).to.equal(false)
    expect(server.address()).to.equal(null)
    expect(p.b.ias.findByClass('Closing')).to.have.length(0)
    const late = connect(p.a, { service: 'Closing', deviceAddress: p.b.deviceAddress })
    expect(await p.room.run(failure(late))).to.include({ code: 'WSAECONNREFUSED' })
    c.write('still here')
    expect((await p.room.run(readExactly(c, 10))).toString()).to.equal('still here')
    expect(serverClosed, "'close' waits for the live connection").to.equal(false)
    c.end()
    await p.room.run(closed(server))
    expect(serverClosed).to.equal(true)
    // the service name is free again
    const again = echoServer(p, 'Closing')
    await p.room.run(once(again, 'listening'))
  })
})

describe('irsock/node API: IrCOMM 9-wire framing (nineWire)', () => {
  /** Data SDUs (TinyTP header stripped) `stack` sends on user selectors. */
  function sentSdus (stack: IrdaStack): number[][] {
    const sdus: number[][] = []
    stack.onFrame(rec => {
      if (rec.direction !== 'out' || rec.frame.length < 6 || (rec.frame[1] & 0x01) !== 0) return // I frames with data
      const [dlsap, slsap] = [rec.frame[2] & 0x7F, rec.frame[3] & 0x7F]
      if ((rec.frame[2] & 0x80) !== 0 || dlsap === 0 || slsap === 0) return // IrLMP control PDUs, IAS
      sdus.push(Array.from(rec.frame.subarray(5)))
    })
    return sdus
  }

  it('a 9-wire client and server echo exact bytes; every data SDU starts with clen 0 and fits one PDU', async () => {
    const p = pair(151)
    const fromA = sentSdus(p.a)
    const fromB = sentSdus(p.b)
    createServer(p.b, { nineWire: true }, s => { s.pipe(s) }).listen({ service: 'IrDA:IrCOMM' })
    echoServer(p, 'Echo')
    const c = connect(p.a, { service: 'IrDA:IrCOMM', nineWire: true })
    const plain = connect(p.a, { service: 'Echo' })
    await p.room.run(Promise.all([once(c, 'connect'), once(plain, 'connect')]))
    expect(c.nineWire).to.equal(true)
    expect(plain.maxSduSize, 'no SAR: one TinyTP PDU').to.be.greaterThan(1000)
    expect(c.maxSduSize, 'one TinyTP PDU less the clen byte').to.equal((plain.maxSduSize ?? 0) - 1)
    plain.destroy()
    const data = noise(20_000, 151)
    c.write(data)
    const back = await p.room.run(readExactly(c, data.length))
    expect(back.equals(data)).to.equal(true)
    for (const sdus of [fromA, fromB]) {
      expect(sdus.length).to.be.greaterThan(5)
      for (const sdu of sdus) {
        expect(sdu[0]).to.equal(0)
        expect(sdu.length - 1).to.be.at.most(c.maxSduSize ?? 0)
      }
    }
    expect(fromA.reduce((n, sdu) => n + sdu.length - 1, 0)).to.equal(data.length)
    expect(c.droppedFrames).to.equal(0)
  })

  it('strips the control parameters a peer sends and drops frames whose clen runs past their end (counted)', async () => {
    const p = pair(152)
    const peer = p.b.ttpListen()
    p.b.ias.set('IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: peer.lsap })
    peer.on('connection', ts => {
      ts.write(Uint8Array.of(3, 0x11, 0x01, 0x0E, 0x41, 0x42)) // clen 3: DTE line settings (PI 0x11), then "AB"
      ts.write(Uint8Array.of(9, 0x43)) // clen past the end: dropped
      ts.write(Uint8Array.of(3, 0x11, 0x01, 0x0E)) // control only: nothing to read
      ts.write(Uint8Array.of(0, 0x43, 0x44)) // "CD"
    })
    const c = connect(p.a, { service: 'IrDA:IrCOMM', nineWire: true })
    const got = await p.room.run(readExactly(c, 4))
    expect(got.toString()).to.equal('ABCD')
    expect(c.droppedFrames).to.equal(1)
    c.destroy()
  })

  it('interworks with a Winsock IRLMP_9WIRE_MODE server', async () => {
    const p = pair(153)
    const ls = p.B.socket(26, W.SOCK_STREAM, 0)
    const on = new Uint8Array(4); new DataView(on.buffer).setUint32(0, 1, true)
    expect(p.B.setsockopt(ls, 0xFF, 0x16, on)).to.equal(0) // SOL_IRLMP, IRLMP_9WIRE_MODE
    const { encodeSockaddrIrda } = await import('@irdakit/irsock/af_irda')
    expect(p.B.bind(ls, encodeSockaddrIrda({ family: 26, deviceId: new Uint8Array(4), serviceName: 'IrDA:IrCOMM' }))).to.equal(0)
    expect(p.B.listen(ls, 1)).to.equal(0)
    const c = connect(p.a, { service: 'IrDA:IrCOMM', nineWire: true })
    const acc = await p.room.run(p.B.accept(ls))
    c.write('ATI\r')
    const buf = new Uint8Array(16)
    const n = await p.room.run(p.B.recv(acc, buf))
    expect(Buffer.from(buf.subarray(0, n)).toString()).to.equal('ATI\r')
    expect(await p.room.run(p.B.send(acc, Buffer.from('OK\r\n')))).to.equal(4)
    expect((await p.room.run(readExactly(c, 4))).toString()).to.equal('OK\r\n')
    c.destroy()
  })
})
