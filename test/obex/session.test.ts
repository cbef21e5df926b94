/*!
 * The sans-I/O client and server sessions against each other, bytes moved by hand at explicit
 * times (no transport, no clock): negotiation, every operation, streaming with backpressure,
 * abort, refusals mapped to typed errors, deadlines, and hostile packets.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import {
  decodeRequest, encodeRequest, FOLDER_BROWSING_UUID, ForbiddenError, header, HeaderId, ObexAbortedError, ObexClientSession,
  ObexServerSession, ObexTimeoutError, Opcode, ResponseCode, ServiceUnavailableError, NotFoundError, textHeader,
  type ClientEvent, type ServerEvent, responseError, ObexResponseError,
} from '@irdakit/obex'

class Pair {
  readonly c: ObexClientSession
  readonly s: ObexServerSession
  readonly toServer: Uint8Array[] = []
  readonly toClient: Uint8Array[] = []
  constructor (c: ObexClientSession, s: ObexServerSession) { this.c = c; this.s = s }
  /** Moves every queued packet both ways until quiet; returns the events of each side. */
  flush (now = 0): { c: ClientEvent[], s: ServerEvent[] } {
    const out = { c: [] as ClientEvent[], s: [] as ServerEvent[] }
    for (let moved = true; moved;) {
      moved = false
      for (let p; (p = this.c.pollTransmit()) !== undefined; moved = true) { this.toServer.push(p); this.s.handle(p, now) }
      for (let p; (p = this.s.pollTransmit()) !== undefined; moved = true) { this.toClient.push(p); this.c.handle(p, now) }
    }
    for (let e; (e = this.c.pollEvent()) !== undefined;) out.c.push(e)
    for (let e; (e = this.s.pollEvent()) !== undefined;) out.s.push(e)
    return out
  }
}

function connected (copts = {}, sopts = {}): Pair {
  const p = new Pair(new ObexClientSession(copts), new ObexServerSession(sopts))
  p.c.connect(0)
  const ev = p.flush()
  expect(ev.c[0]?.type).to.equal('connected')
  return p
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xFF)

describe('obex/session: connect', () => {
  it('each side sends at most min(own, peer) maximum packet', () => {
    const p = connected({ maxPacket: 14273 }, { maxPacket: 1024 })
    expect(p.c.sendMax).to.equal(1024)
    expect(p.s.sendMax).to.equal(1024)
    expect(decodeRequest(p.toServer[0]).ok).to.equal(true)
    expect(Buffer.from(p.toServer[0]).toString('hex')).to.equal('80000710' + '0037c1')
    expect(Buffer.from(p.toClient[0]).toString('hex')).to.equal('a0000710' + '000400')
  })

  it('Folder Browsing: Who and Connection-ID come back; every later operation starts with the Connection-ID', () => {
    const p = new Pair(new ObexClientSession(), new ObexServerSession({ targets: [FOLDER_BROWSING_UUID] }))
    p.c.connect(0, { target: FOLDER_BROWSING_UUID })
    const ev = p.flush()
    const c = ev.c[0]
    expect(c.type === 'connected' && c.connectionId).to.equal(1)
    expect(c.type === 'connected' && Buffer.from(c.who ?? []).equals(Buffer.from(FOLDER_BROWSING_UUID))).to.equal(true)
    p.c.get(0, { headers: [header(HeaderId.name, 'x')] })
    const e2 = p.flush()
    expect(Buffer.from(p.toServer[1]).subarray(3, 8).toString('hex')).to.equal('cb00000001')
    const g = e2.s[0]
    expect(g.type === 'get' && g.target !== undefined && Buffer.from(g.target).equals(Buffer.from(FOLDER_BROWSING_UUID))).to.equal(true)
  })

  it('an unknown Target is refused with Service Unavailable, a typed error on the client', () => {
    const p = new Pair(new ObexClientSession(), new ObexServerSession())
    p.c.connect(0, { target: FOLDER_BROWSING_UUID })
    const e = p.flush().c[0]
    expect(e.type === 'error' && e.error).to.be.instanceOf(ServiceUnavailableError)
  })
})

describe('obex/session: put and get stream a packet at a time', () => {
  it('put: chunks fit the room, the server answers each only when the application says so', () => {
    const p = connected({ maxPacket: 300 }, { maxPacket: 300 })
    const data = bytes(2000)
    p.c.put(0, { headers: [header(HeaderId.name, 'big.bin'), header(HeaderId.length, data.length)] })
    let sent = 0
    const got: Uint8Array[] = []
    let done: ClientEvent | undefined
    let ev = p.flush()
    for (let i = 0; i < 100 && done === undefined; i++) {
      for (const e of ev.s) if (e.type === 'body' || e.type === 'put') got.push(e.data)
      expect(ev.s.length).to.be.at.most(1) // one event per packet, one reply per event
      if (p.s.owes) { p.s.reply(0); ev = p.flush(); continue }
      const cont = ev.c.find(e => e.type === 'continue')
      done = ev.c.find(e => e.type === 'done')
      if (cont?.type === 'continue') {
        const n = Math.min(cont.room, data.length - sent)
        p.c.putBody(0, data.subarray(sent, sent + n), sent + n === data.length)
        sent += n
        ev = p.flush()
        // Nothing more leaves the client until the server answered.
        expect(p.c.pollTransmit()).to.equal(undefined)
      }
    }
    expect(done?.type === 'done' && done.code).to.equal(ResponseCode.success)
    expect(Buffer.concat(got).equals(Buffer.from(data))).to.equal(true)
    expect(Math.max(...p.toServer.map(b => b.length))).to.be.at.most(300)
    expect(p.toServer.length).to.be.greaterThan(7)
  })

  it('delete (no body at all) and create-empty (an empty End-of-Body)', () => {
    const p = connected()
    p.c.put(0, { headers: [header(HeaderId.name, 'old.txt')], delete: true })
    let ev = p.flush()
    expect(ev.s[0]).to.deep.include({ type: 'put', delete: true })
    expect(Buffer.from(p.toServer[1]).toString('hex')).to.equal('820016' + '010013' + '006f006c0064002e007400780074' + '0000')
    p.s.reply(0, ResponseCode.success)
    expect(p.flush().c[0]).to.deep.include({ type: 'done', op: 'put' })
    p.c.put(0, { headers: [header(HeaderId.name, 'empty')] })
    p.flush()
    p.c.putBody(0, new Uint8Array(0), true)
    ev = p.flush()
    expect(ev.s.map(e => e.type)).to.deep.equal(['put'])
    expect(ev.s[0]).to.deep.include({ delete: false, last: true })
  })

  it('get: each part is asked for only after the application took the last one', () => {
    const p = connected({ maxPacket: 255 }, { maxPacket: 4096 })
    const data = bytes(1000, 3)
    p.c.get(0, { headers: [header(HeaderId.name, 'x.bin')] })
    let ev = p.flush()
    expect(ev.s[0].type === 'get' && textHeader(ev.s[0].headers, HeaderId.name)).to.equal('x.bin')
    let off = 0
    const got: Uint8Array[] = []
    for (let i = 0; i < 50; i++) {
      const room = p.s.getRoom()
      const n = Math.min(room, data.length - off)
      p.s.getReply(0, { body: data.subarray(off, off + n), last: off + n === data.length })
      off += n
      ev = p.flush()
      const body = ev.c.find(e => e.type === 'body')
      if (body?.type === 'body') got.push(body.data)
      if (ev.c.some(e => e.type === 'done')) break
      expect(p.s.owes).to.equal(false)
      p.c.getNext(0)
      ev = p.flush()
      expect(ev.s[0]?.type).to.equal('get-next')
    }
    expect(Buffer.concat(got).equals(Buffer.from(data))).to.equal(true)
    expect(Math.max(...p.toClient.map(b => b.length))).to.be.at.most(255)
  })

  it('a get whose request spans packets is answered Continue until its final packet', () => {
    const p = connected()
    p.toServer.length = 0
    p.s.handle(encodeRequest({ opcode: Opcode.get, final: false, headers: [header(HeaderId.name, 'a')] }), 0)
    expect(p.s.pollTransmit()?.[0]).to.equal(0x90)
    p.s.handle(encodeRequest({ opcode: Opcode.get, final: true, headers: [header(HeaderId.description, 'b')] }), 0)
    const e = p.s.pollEvent()
    expect(e?.type === 'get' && e.headers.length).to.equal(2)
  })

  it('setpath: parent, create, and the flags on the wire', () => {
    const p = connected()
    p.c.setPath(0, { name: 'photos' })
    let ev = p.flush()
    expect(ev.s[0]).to.deep.include({ type: 'setpath', name: 'photos', parent: false, create: false })
    expect(p.toServer[1][3]).to.equal(0x02)
    p.s.reply(0, ResponseCode.notFound)
    ev = p.flush()
    expect(ev.c[0].type === 'error' && ev.c[0].error).to.be.instanceOf(NotFoundError)
    p.c.setPath(0, { parent: true, create: true })
    expect(p.flush().s[0]).to.deep.include({ type: 'setpath', name: undefined, parent: true, create: true })
  })
})

describe('obex/session: abort, refusals, deadlines, hostile packets', () => {
  it('abort in the middle of a put: the server drops it, the client gets ObexAbortedError', () => {
    const p = connected()
    p.c.put(0, { headers: [header(HeaderId.name, 'a')] })
    p.flush()
    p.c.putBody(0, bytes(100), false)
    p.flush()
    p.c.abort(0) // still waiting for Continue: sent in place of the next request
    p.s.reply(0)
    const ev = p.flush()
    expect(ev.s.map(e => e.type)).to.include('abort')
    const err = ev.c.find(e => e.type === 'error')
    expect(err?.type === 'error' && err.error).to.be.instanceOf(ObexAbortedError)
    expect(err?.type === 'error' && err.op).to.equal('put')
    expect(p.c.busy).to.equal(false)
    expect(p.toServer.at(-1)?.[0]).to.equal(0xFF)
  })

  it('a refused put ends with the typed error of the code', () => {
    const p = connected()
    p.c.put(0, { headers: [header(HeaderId.name, '../etc/passwd')] })
    p.flush()
    p.c.putBody(0, bytes(10), true)
    p.flush()
    p.s.reply(0, ResponseCode.forbidden)
    const e = p.flush().c[0]
    expect(e.type === 'error' && e.error).to.be.instanceOf(ForbiddenError)
    for (const code of Object.values(ResponseCode).filter(c => c >= 0xC0)) expect(responseError(code)).to.be.instanceOf(ObexResponseError)
  })

  it('a request unanswered past its deadline fails with ObexTimeoutError and breaks the session', () => {
    const c = new ObexClientSession({ timeoutMs: 5000 })
    c.connect(1000)
    expect(c.nextDeadline()).to.equal(6000)
    c.poll(5999)
    expect(c.pollEvent()).to.equal(undefined)
    c.poll(6000)
    const e = c.pollEvent()
    expect(e?.type === 'error' && e.error).to.be.instanceOf(ObexTimeoutError)
    expect(e?.type === 'error' && e.fatal).to.equal(true)
    expect(() => { c.connect(7000) }).to.throw(/broken/)
  })

  it('a client silent in the middle of a put: the server drops the put at its deadline', () => {
    const p = connected({}, { timeoutMs: 2000 })
    p.c.put(0, { headers: [header(HeaderId.name, 'a')] })
    p.flush()
    p.c.putBody(0, bytes(10), false)
    p.flush(100)
    p.s.reply(100)
    p.flush(100)
    expect(p.s.nextDeadline()).to.equal(2100)
    p.s.poll(2100)
    expect(p.s.pollEvent()).to.deep.equal({ type: 'timeout', op: 'put' })
  })

  it('a header running past its packet is answered Bad Request and counted; the session goes on', () => {
    const s = new ObexServerSession()
    s.handle(Uint8Array.from([0x82, 0x00, 0x0B, 0x01, 0x00, 0xC8, 0x00, 0x61, 0x00, 0x62, 0x00]), 0)
    expect(s.pollTransmit()?.[0]).to.equal(ResponseCode.badRequest)
    expect(s.malformed).to.equal(1)
    expect(s.pollEvent()?.type).to.equal('malformed')
    s.handle(encodeRequest({ opcode: Opcode.disconnect, final: true, headers: [] }), 0)
    expect(s.pollTransmit()?.[0]).to.equal(ResponseCode.success)
  })

  it('a length over our maximum is fatal: nothing is buffered, nothing more is read', () => {
    const s = new ObexServerSession({ maxPacket: 1024 })
    s.handle(Uint8Array.from([0x82, 0xFF, 0xFF, 0x48]), 0)
    const e = s.pollEvent()
    expect(e?.type === 'fatal' && e.error.message).to.match(/65535 bytes/)
    s.handle(encodeRequest({ opcode: Opcode.disconnect, final: true, headers: [] }), 0)
    expect(s.pollTransmit()).to.equal(undefined)
  })

  it('a response nobody asked for, or a lying one, breaks the client with a typed error', () => {
    const c = new ObexClientSession()
    c.handle(Uint8Array.from([0xA0, 0x00, 0x03]), 0)
    const e = c.pollEvent()
    expect(e?.type === 'error' && e.error.name).to.equal('ObexProtocolError')
    const d = new ObexClientSession()
    d.connect(0)
    d.handle(Uint8Array.from([0xA0, 0x00, 0x07, 0x10, 0x00, 0x00, 0x10]), 0) // max packet 16 < 255
    const f = d.pollEvent()
    expect(f?.type === 'error' && f.error.message).to.match(/under OBEX's 255/)
  })

  it('a Connect refused with a bare 3-byte response is that refusal, not a broken packet', () => {
    const c = new ObexClientSession()
    c.connect(0)
    c.handle(Uint8Array.from([0xC3, 0x00, 0x03]), 0)
    const e = c.pollEvent()
    expect(e?.type === 'error' && e.error).to.be.instanceOf(ForbiddenError)
    expect(e?.type === 'error' && e.fatal).to.equal(false)
  })

  it('any bytes in any pieces: neither session throws, the server answers at most once per 3 bytes (one packet)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }), chunks => {
      const s = new ObexServerSession({ maxPacket: 1024 })
      const c = new ObexClientSession({ maxPacket: 1024 })
      c.connect(0)
      c.pollTransmit()
      let fed = 0
      for (const chunk of chunks) {
        s.handle(chunk, fed); c.handle(chunk, fed); fed += 1
        for (let e; (e = s.pollEvent()) !== undefined;) {
          if (!s.owes) continue
          if (e.type === 'put' || e.type === 'body' || e.type === 'setpath') s.reply(fed, ResponseCode.forbidden)
          else if (e.type === 'get' || e.type === 'get-next') s.getReply(fed, { code: ResponseCode.notFound })
        }
        for (let e; (e = c.pollEvent()) !== undefined;) void e
      }
      const total = chunks.reduce((n, b) => n + b.length, 0)
      let answers = 0
      for (let p; (p = s.pollTransmit()) !== undefined;) answers++
      expect(answers).to.be.at.most(Math.ceil(total / 3))
      s.poll(1e9); c.poll(1e9)
    }), { numRuns: 500 })
  })

  it('a client that connects again and again holds at most 16 Connection-IDs: the oldest is forgotten, the newest works', () => {
    const s = new ObexServerSession({ targets: [FOLDER_BROWSING_UUID] })
    const connect = encodeRequest({ opcode: Opcode.connect, final: true, connect: { version: 0x10, flags: 0, maxPacket: 1024 }, headers: [header(HeaderId.target, FOLDER_BROWSING_UUID)] })
    for (let i = 0; i < 5000; i++) {
      s.handle(connect, 0)
      expect(s.pollTransmit()?.[0]).to.equal(ResponseCode.success)
      while (s.pollEvent() !== undefined);
    }
    expect(s.connectionIds).to.equal(16)
    const getWith = (id: number): Uint8Array => encodeRequest({ opcode: Opcode.get, final: true, headers: [header(HeaderId.connectionId, id), header(HeaderId.name, 'x')] })
    s.handle(getWith(1), 0)
    expect(s.pollTransmit()?.[0]).to.equal(ResponseCode.unavailable)
    s.handle(getWith(5000), 0)
    expect(s.pollEvent()?.type).to.equal('get')
  })

  it('unknown opcodes are answered Not Implemented', () => {
    const s = new ObexServerSession()
    s.handle(Uint8Array.from([0x86, 0x00, 0x03]), 0)
    expect(s.pollTransmit()?.[0]).to.equal(ResponseCode.notImplemented)
  })
})
