/*! Issue 13, defects 4 and 8: every argument a JavaScript caller can pass gets Winsock's answer. */
import { expect } from 'chai'
import { connect, createIrSock, createServer, type IrSock } from '@irdakit/irsock'
import {
  AF_IRDA, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_NO_CLASS, IRLMP_9WIRE_MODE, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, SOL_IRLMP, decodeIasQuery,
  deviceIdFromAddress, deviceListSize, encodeIasQuery, encodeSockaddrIrda,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })

function bound (S: IrSock, service: string): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(S.bind(s, addr(0, service))).to.equal(0)
  return s
}

/** Connect attempts, one after another, with nobody calling accept: each one's WSA error (0 = queued). */
async function attempts (p: Pair, service: string, n: number): Promise<number[]> {
  const errs: number[] = []
  for (let i = 0; i < n; i++) {
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, service)))
    errs.push(p.A.WSAGetLastError())
  }
  return errs
}

describe('irsock/listen keeps the cap of 2 for every backlog a caller can pass (issue 13, defect 4)', () => {
  // Integers (of any size) and the infinities follow Windows CE: the nearest legal value in 1..5, then IrSock's 2.
  const clamped: Array<[string, unknown, number]> = [
    ['-1', -1, 1], ['-0', -0, 1], ['Infinity', Infinity, 2], ['-Infinity', -Infinity, 1], ['2**53', 2 ** 53, 2],
    ['-(2**53)', -(2 ** 53), 1], ['2**31', 2 ** 31, 2], ['1e300', 1e300, 2], ['Number.MAX_VALUE', Number.MAX_VALUE, 2],
  ]
  for (const [name, backlog, queued] of clamped) {
    it(`listen(s, ${name}) returns 0 and queues ${queued} (the next client gets WSAECONNREFUSED)`, async () => {
      const p = pair(41)
      const ls = bound(p.B, 'Svc')
      expect((p.B.listen as (s: number, b: unknown) => number)(ls, backlog)).to.equal(0)
      const expected = [...Array<number>(queued).fill(0), W.WSAECONNREFUSED]
      expect(await attempts(p, 'Svc', queued + 1)).to.deep.equal(expected)
    })
  }

  // Anything that is not a number with an integer value (or an infinity) is not a backlog: WSAEINVAL, nothing changes.
  const invalid: Array<[string, unknown]> = [
    ['NaN', NaN], ['undefined', undefined], ['null', null], ["'3'", '3'], ['1.5', 1.5], ['-0.5', -0.5], ['true', true],
    ['{}', {}], ['[]', []], ['[3]', [3]], ['3n', 3n], ['Symbol()', Symbol('x')], ['a function', () => 3],
  ]
  for (const [name, backlog] of invalid) {
    it(`listen(s, ${name}) is WSAEINVAL and leaves the socket bound, not listening`, async () => {
      const p = pair(42)
      const ls = bound(p.B, 'Svc')
      expect((p.B.listen as (s: number, b: unknown) => number)(ls, backlog)).to.equal(W.SOCKET_ERROR)
      expect(p.B.WSAGetLastError()).to.equal(W.WSAEINVAL)
      // not listening: every client is refused, none queues
      expect(await attempts(p, 'Svc', 2)).to.deep.equal([W.WSAECONNREFUSED, W.WSAECONNREFUSED])
    })
  }

  for (const [name, backlog] of [...clamped.map(([n, b]) => [n, b] as const), ...invalid]) {
    it(`whatever listen(s, ${name}) returns, no more than 2 clients ever wait for accept`, async () => {
      const p = pair(44)
      const ls = bound(p.B, 'Svc')
      const r = (p.B.listen as (s: number, b: unknown) => number)(ls, backlog)
      expect(r).to.be.oneOf([0, W.SOCKET_ERROR])
      const queued = (await attempts(p, 'Svc', 4)).filter(e => e === 0).length
      expect(queued).to.be.at.most(2)
    })
  }

  it('a failed listen again keeps the listening socket\'s backlog (2), and its queue', async () => {
    const p = pair(43)
    const ls = bound(p.B, 'Svc')
    expect(p.B.listen(ls, 5)).to.equal(0)
    expect(await attempts(p, 'Svc', 1)).to.deep.equal([0])
    for (const bad of [NaN, undefined, null, '1', 0.5]) {
      expect((p.B.listen as (s: number, b: unknown) => number)(ls, bad)).to.equal(W.SOCKET_ERROR)
      expect(p.B.WSAGetLastError()).to.equal(W.WSAEINVAL)
    }
    expect(await attempts(p, 'Svc', 2)).to.deep.equal([0, W.WSAECONNREFUSED])
  })
})

/** A connected pair of sockets: [client on A, accepted on B, listening on B]. */
async function connected (p: Pair): Promise<[number, number, number]> {
  const ls = bound(p.B, 'Svc')
  expect(p.B.listen(ls, 2)).to.equal(0)
  const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const [acc, r] = await p.room.run(Promise.all([p.B.accept(ls), p.A.connect(c, addr(p.b.deviceAddress, 'Svc'))]))
  expect(r).to.equal(0)
  return [c, acc, ls]
}

/** Calls `f` with arguments TypeScript would refuse, as a JavaScript caller can. */
const loose = <T>(f: unknown): ((...args: unknown[]) => T) => f as (...args: unknown[]) => T

describe('irsock/bad arguments get the documented Winsock error, never an exception or a pretended success (issue 13, defect 8)', () => {
  it('send(len 1.5 | NaN | -1 | past the buffer | "2") is WSAEFAULT and sends nothing; send(len 0) returns 0', async () => {
    const p = pair(51)
    const [c, acc] = await connected(p)
    const send = loose<Promise<number>>(p.A.send)
    for (const len of [1.5, NaN, -1, 5, '2', null, Infinity]) {
      expect(await p.room.run(send(c, Uint8Array.of(1, 2, 3, 4), len)), String(len)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), String(len)).to.equal(W.WSAEFAULT)
    }
    expect(await p.room.run(p.A.send(c, Uint8Array.of(1, 2, 3), 0))).to.equal(0)
    expect(p.A.WSAGetLastError()).to.equal(0)
    expect(await p.room.run(p.A.send(c, Uint8Array.of(7, 8, 9), 2))).to.equal(2)
    const buf = new Uint8Array(8)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(2) // nothing of the refused sends arrived
    expect(Array.from(buf.subarray(0, 2))).to.deep.equal([7, 8])
  })

  it('null, undefined or a non-buffer where a buffer goes is WSAEFAULT from bind, connect, send, recv, getsockopt, setsockopt (never a TypeError)', async () => {
    const p = pair(52)
    const [c] = await connected(p)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const bad of [null, undefined, 0, 'LSAP-SEL5', [0, 26], {}, new Uint16Array(32)]) {
      const what = String(bad)
      expect(loose<number>(p.A.bind)(s, bad), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
      expect(await p.room.run(loose<Promise<number>>(p.A.connect)(s, bad)), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
      expect(await p.room.run(loose<Promise<number>>(p.A.send)(c, bad)), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
      expect(await p.room.run(loose<Promise<number>>(p.A.recv)(c, bad)), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
      expect(loose<number>(p.A.setsockopt)(s, SOL_IRLMP, IRLMP_9WIRE_MODE, bad), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
      expect(loose<number>(p.A.getsockopt)(s, SOL_IRLMP, IRLMP_9WIRE_MODE, bad), what).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError(), what).to.equal(W.WSAEFAULT)
    }
  })

  it('a null optval for IRLMP_ENUMDEVICES is WSAEFAULT, not WSAECONNABORTED', async () => {
    const p = pair(53)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const bad of [null, undefined, 42]) {
      expect(await p.room.run(loose<Promise<number>>(p.A.getsockopt)(s, SOL_IRLMP, IRLMP_ENUMDEVICES, bad))).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
  })

  it('IRLMP_IAS_QUERY with an unterminated 64-character class (or attribute, or one IAS cannot hold) is WSAEINVAL, not WSAECONNABORTED', async () => {
    const p = pair(54)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const query = (cls: string, attr: string): Uint8Array => encodeIasQuery({ deviceId: deviceIdFromAddress(p.b.deviceAddress), className: cls, attribName: attr, attrib: { type: IAS_ATTRIB_NO_ATTRIB } })
    const cases = [query('C'.repeat(64), 'A'), query('Device', 'A'.repeat(256)), query('C'.repeat(61), 'A'), query('Dev\u00e9', 'A'), query('Device', 'Tab\t')]
    for (const q of cases) {
      expect(await p.room.run(p.A.getsockopt(s, SOL_IRLMP, IRLMP_IAS_QUERY, q))).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    }
    // a 60-character class is fine: the peer answers "no such class"
    const ok = query('C'.repeat(60), 'A')
    expect(await p.room.run(p.A.getsockopt(s, SOL_IRLMP, IRLMP_IAS_QUERY, ok))).to.equal(0)
    expect(decodeIasQuery(ok).attrib.type).to.equal(IAS_ATTRIB_NO_CLASS)
  })

  it('ioctlsocket(FIONBIO | FIONREAD, null | undefined | a number | a frozen ref) is WSAEFAULT; an unknown or non-integer command WSAEINVAL', () => {
    const p = pair(55)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const ioctl = loose<number>(p.A.ioctlsocket)
    for (const bad of [null, undefined, 1, 'x', {}, { value: NaN }, { value: '1' }]) {
      expect(ioctl(s, W.FIONBIO, bad), String(bad)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
    for (const bad of [null, undefined, 1, Object.freeze({ value: 0 })]) {
      expect(ioctl(s, W.FIONREAD, bad), String(bad)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
    for (const cmd of [String(W.FIONBIO), NaN, W.FIONBIO + 0.5, undefined, 0]) {
      expect(ioctl(s, cmd, { value: 1 })).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    }
    const ref = { value: 7 }
    expect(ioctl(s, W.FIONREAD, ref)).to.equal(0)
    expect(ref.value).to.equal(0)
  })

  it('getsockopt with an optlen that cannot take the result (frozen, a number, NaN) is WSAEFAULT and writes nothing', async () => {
    const p = pair(56)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const bad of [Object.freeze({ value: 4 }), 4, { value: NaN }, { value: -1 }, null]) {
      const buf = new Uint8Array(4).fill(0xAA)
      expect(loose<number>(p.A.getsockopt)(s, SOL_IRLMP, IRLMP_9WIRE_MODE, buf, bad), String(bad)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
      expect(Array.from(buf)).to.deep.equal([0xAA, 0xAA, 0xAA, 0xAA])
      const list = new Uint8Array(deviceListSize(2))
      expect(await p.room.run(loose<Promise<number>>(p.A.getsockopt)(s, SOL_IRLMP, IRLMP_ENUMDEVICES, list, bad))).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
  })

  it('accept with an address buffer it cannot fill (short, frozen addrlen, not a buffer) is WSAEFAULT and keeps the connection queued', async () => {
    const p = pair(57)
    const ls = bound(p.B, 'Svc')
    expect(p.B.listen(ls, 2)).to.equal(0)
    const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(await p.room.run(p.A.connect(c, addr(p.b.deviceAddress, 'Svc')))).to.equal(0)
    const accept = loose<Promise<number>>(p.B.accept)
    const cases: Array<[unknown, unknown]> = [[new Uint8Array(16), undefined], [new Uint8Array(16), { value: 32 }], [new Uint8Array(32), Object.freeze({ value: 32 })], [new Uint8Array(32), { value: 31 }], ['addr', undefined], [new Uint8Array(32), 32]]
    for (const [a, len] of cases) {
      expect(await p.room.run(accept(ls, a, len))).to.equal(W.INVALID_SOCKET)
      expect(p.B.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
    const out = new Uint8Array(32)
    const outLen = { value: 32 }
    expect(await p.room.run(p.B.accept(ls, out, outLen))).to.not.equal(W.INVALID_SOCKET)
    expect(outLen.value).to.equal(32)
  })

  it('WSAStartup with a version that is no WORD is WSAVERNOTSUPPORTED, with lpWSAData null or frozen WSAEFAULT; neither counts as started', () => {
    const S = createIrSock(pair(58).a)
    const startup = loose<number>(S.WSAStartup)
    for (const v of [NaN, 1.5, '0x0202', -1, 0x10202, null]) expect(startup(v), String(v)).to.equal(W.WSAVERNOTSUPPORTED)
    for (const d of [null, 5, 'data', Object.freeze({})]) expect(startup(0x0202, d), String(d)).to.equal(W.WSAEFAULT)
    expect(S.WSACleanup()).to.equal(W.SOCKET_ERROR)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
  })

  it('send and recv flags that are not an int, or unknown bits, are WSAEINVAL; MSG_OOB, MSG_PEEK, MSG_WAITALL on recv WSAEOPNOTSUPP', async () => {
    const p = pair(59)
    const [c] = await connected(p)
    const send = loose<Promise<number>>(p.A.send)
    const recv = loose<Promise<number>>(p.A.recv)
    for (const f of [NaN, 0.5, '0', null, 0x100, 2 ** 40]) {
      expect(await p.room.run(send(c, Uint8Array.of(1), 1, f)), String(f)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
      expect(await p.room.run(recv(c, new Uint8Array(1), 1, f)), String(f)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    }
    for (const f of [W.MSG_OOB, W.MSG_PEEK, W.MSG_WAITALL]) {
      expect(await p.room.run(recv(c, new Uint8Array(1), 1, f))).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEOPNOTSUPP)
    }
    expect(await p.room.run(send(c, Uint8Array.of(1), 1, W.MSG_DONTROUTE))).to.equal(1)
  })
})

describe('irsock/node API: createServer().listen({ backlog }) keeps the cap of 2 for any value (issue 13, defect 4)', () => {
  const values: Array<[string, unknown, number]> = [
    ['{}', {}, 2], ["'7'", '7', 2], ['null', null, 2], ['true', true, 2], ['[3]', [3], 2], ['3n', 3n, 2], ['Symbol()', Symbol('b'), 2],
    ['NaN', NaN, 2], ['undefined', undefined, 2], ['Infinity', Infinity, 2], ['-Infinity', -Infinity, 1], ['2**53', 2 ** 53, 2], ['-1', -1, 1], ['1.5', 1.5, 1],
  ]
  for (const [name, backlog, expected] of values) {
    it(`backlog ${name}: listens with backlog ${expected} and queues no more`, async () => {
      const p = pair(61)
      const server = createServer(p.b)
      expect(() => server.listen({ service: 'Svc', backlog } as unknown as Parameters<typeof server.listen>[0])).to.not.throw()
      expect(server.backlog).to.equal(expected)
      server.pause()
      const results: string[] = []
      for (let i = 0; i < 3; i++) {
        const c = connect(p.a, { service: 'Svc', deviceAddress: p.b.deviceAddress })
        results.push(await p.room.run(new Promise<string>(resolve => { c.once('connect', () => resolve('ok')); c.once('error', (e: { code?: string }) => resolve(e.code ?? 'error')) })))
      }
      expect(results.filter(r => r === 'ok')).to.have.length(expected)
      server.close()
    })
  }
})
