/*
 * Resets versus orderly closes (IrLMP reason 0xFF versus 0x01), and the descriptor limit of
 * listen as Windows CE documents it: "when no socket descriptors are available, listen keeps
 * working, and a later listen or accept refills the queue to the current backlog once
 * descriptors free up".
 */
import { expect } from 'chai'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import { parseLmpPdu } from '@irdakit/lmp'
import type { IrdaStack } from '@irdakit/stack'
import { AF_IRDA, encodeSockaddrIrda, deviceIdFromAddress } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })

async function dial (S: IrSock, device: number, service: string): Promise<[number, number, number]> {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const r = await S.connect(s, addr(device, service))
  return [s, r, S.WSAGetLastError()]
}

function listening (S: IrSock, service: string, backlog = 2): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(S.bind(s, addr(0, service))).to.equal(0)
  expect(S.listen(s, backlog)).to.equal(0)
  return s
}

/** Connect results of `n` clients in turn (0 = queued, else the WSA error). */
async function clients (p: Pair, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc')))[2])
  return out
}

/** The IrLMP disconnect reasons `stack` sends on user connections, in order, as they leave the port. */
function disconnectReasons (stack: IrdaStack): number[] {
  const reasons: number[] = []
  stack.onFrame(rec => {
    if (rec.direction !== 'out' || rec.frame.length < 4 || (rec.frame[1] & 0x01) !== 0) return // I frames only
    const pdu = parseLmpPdu(rec.frame.subarray(2))
    // IAS query connections (selector 0) end with their own 0x01: leave them out
    if (pdu.ok && pdu.value.kind === 'disconnect' && pdu.value.dlsap !== 0 && pdu.value.slsap !== 0) reasons.push(pdu.value.reason)
  })
  return reasons
}

/** A server IrSock on `p.b` with its own descriptor limit. */
function server (p: Pair, maxSockets: number): IrSock {
  const S = createIrSock(p.b, { maxSockets })
  expect(S.WSAStartup(0x0202)).to.equal(0)
  return S
}

describe('irsock/reset versus close', () => {
  it('listen with a smaller backlog resets the dropped connection (reason 0xFF): its client sees WSAECONNRESET, the server only the kept one', async () => {
    const p = pair(51)
    const sent = disconnectReasons(p.b)
    const ls = listening(p.B, 'Svc')
    const [, r1] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    const [c2, r2] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    expect([r1, r2]).to.deep.equal([0, 0])
    expect(p.B.listen(ls, 1)).to.equal(0)
    expect(await p.room.run(p.A.recv(c2, new Uint8Array(4)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(sent).to.deep.equal([0xFF])
    // server side: exactly one connection is left to accept
    p.B.ioctlsocket(ls, W.FIONBIO, { value: 1 })
    expect(await p.room.run(p.B.accept(ls))).to.not.equal(W.INVALID_SOCKET)
    expect(await p.room.run(p.B.accept(ls))).to.equal(W.INVALID_SOCKET)
    expect(p.B.WSAGetLastError()).to.equal(W.WSAEWOULDBLOCK)
  })

  it('closesocket resets queued connections nobody accepted', async () => {
    const p = pair(52)
    const sent = disconnectReasons(p.b)
    const ls = listening(p.B, 'Svc')
    const [c] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    expect(p.B.closesocket(ls)).to.equal(0)
    expect(await p.room.run(p.A.recv(c, new Uint8Array(4)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(sent).to.deep.equal([0xFF])
  })

  it('closesocket after SO_LINGER {1, 0} is a hard close: queued data is dropped and the peer sees WSAECONNRESET', async () => {
    const p = pair(53)
    const sent = disconnectReasons(p.a)
    const ls = listening(p.B, 'Svc')
    const [acc, [c]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    const linger = Uint8Array.of(1, 0, 0, 0) // l_onoff 1, l_linger 0
    expect(p.A.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, linger)).to.equal(0)
    const big = new Uint8Array(200_000).fill(0x5A) // far more than TinyTP's initial credit lets out at once
    void p.A.send(c, big)
    expect(p.A.closesocket(c)).to.equal(0)
    let got = 0
    const buf = new Uint8Array(4096)
    for (;;) {
      const n = await p.room.run(p.B.recv(acc, buf))
      if (n <= 0) { expect(n).to.equal(W.SOCKET_ERROR); break }
      got += n
    }
    expect(p.B.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(got).to.be.lessThan(big.length)
    // (a 0x06 "data on a disconnected LSAP" may follow, for B's credit PDU that crossed the reset)
    expect(sent[0]).to.equal(0xFF)
  })

  it('SO_LINGER {1, t}: data still queued t seconds after closesocket is dropped with a reset; data out in time closes in order', async () => {
    const sleep = async (p: Pair, ms: number): Promise<void> => { await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + ms, resolve))) }
    const p = pair(55)
    const sent = disconnectReasons(p.a)
    const ls = listening(p.B, 'Svc')
    const [acc, [c]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    expect(p.A.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, Uint8Array.of(1, 0, 2, 0))).to.equal(0) // 2 s
    void p.A.send(c, new Uint8Array(200_000).fill(0x5A)) // B does not read: credit runs out
    expect(p.A.closesocket(c)).to.equal(0)
    await sleep(p, 1900)
    expect(sent, 'still lingering').to.deep.equal([])
    // At 2 s TinyTP drops what it holds; the PDUs IrLAP already has (a few 2 KB frames at
    // 115200 bit/s) still go first, then the reset.
    await sleep(p, 3000)
    expect(sent, 'reset once the linger time is up').to.deep.equal([0xFF])
    const buf = new Uint8Array(65536)
    let got = 0
    for (let n = 1; n > 0;) { n = await p.room.run(p.B.recv(acc, buf)); got += Math.max(0, n) }
    expect(p.B.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(got).to.be.greaterThan(0).and.lessThan(200_000)

    const q = pair(56)
    const qsent = disconnectReasons(q.a)
    const qls = listening(q.B, 'Svc')
    const [qacc, [qc]] = await q.room.run(Promise.all([q.B.accept(qls), dial(q.A, q.b.deviceAddress, 'Svc')]))
    expect(q.A.setsockopt(qc, W.SOL_SOCKET, W.SO_LINGER, Uint8Array.of(1, 0, 2, 0))).to.equal(0)
    void q.A.send(qc, Uint8Array.of(1, 2, 3))
    expect(q.A.closesocket(qc)).to.equal(0)
    expect(await q.room.run(q.B.recv(qacc, buf))).to.equal(3)
    expect(await q.room.run(q.B.recv(qacc, buf))).to.equal(0)
    await sleep(q, 3000)
    expect(qsent).to.deep.equal([0x01])
  })

  it('a plain closesocket is an orderly close (reason 0x01): the peer reads everything, then 0', async () => {
    const p = pair(54)
    const sent = disconnectReasons(p.a)
    const ls = listening(p.B, 'Svc')
    const [acc, [c]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    void p.A.send(c, Uint8Array.of(1, 2, 3))
    expect(p.A.closesocket(c)).to.equal(0)
    const buf = new Uint8Array(8)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(3)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(0)
    expect(p.B.WSAGetLastError()).to.equal(0)
    await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 500, resolve)))
    expect(sent).to.deep.equal([0x01])
  })
})

describe('irsock/listen without free socket descriptors (Windows CE)', () => {
  it('counts each connection queued for accept as a descriptor: socket() fails with WSAEMFILE', async () => {
    const p = pair(61)
    const S = server(p, 2)
    listening(S, 'Svc')
    expect(S.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.not.equal(W.INVALID_SOCKET)
    expect(S.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(S.WSAGetLastError()).to.equal(W.WSAEMFILE)
    const p2 = pair(62)
    const T = server(p2, 2)
    const ls = listening(T, 'Svc')
    expect(await clients(p2, 1)).to.deep.equal([0])
    expect(T.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(T.WSAGetLastError()).to.equal(W.WSAEMFILE)
    // accepting turns the queued connection's descriptor into the new socket: still none free
    expect(await p2.room.run(T.accept(ls))).to.not.equal(W.INVALID_SOCKET)
    expect(T.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(T.WSAGetLastError()).to.equal(W.WSAEMFILE)
  })

  it('refuses incoming connections while none is free (WSAECONNREFUSED) though the backlog has room, and listen still returns 0', async () => {
    const p = pair(63)
    const S = server(p, 2)
    const ls = listening(S, 'Svc', 2)
    expect(await clients(p, 2)).to.deep.equal([0, W.WSAECONNREFUSED])
    expect(S.listen(ls, 2)).to.equal(0)
    expect(S.WSAGetLastError()).to.equal(0)
  })

  it('after a socket closes, a later listen lets the queue fill again up to the backlog', async () => {
    const p = pair(64)
    const S = server(p, 4)
    const ls = listening(S, 'Svc', 2)
    const x = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const y = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(await clients(p, 2)).to.deep.equal([0, W.WSAECONNREFUSED]) // 4 in use: ls, x, y, one queued
    expect(S.closesocket(x)).to.equal(0)
    expect(S.closesocket(y)).to.equal(0)
    // descriptors are free, but listening stays paused until listen or accept is called again
    expect(await clients(p, 1)).to.deep.equal([W.WSAECONNREFUSED])
    expect(S.listen(ls, 2)).to.equal(0)
    // the queue fills to the backlog (2), and the backlog, not the descriptors, refuses the next
    expect(await clients(p, 2)).to.deep.equal([0, W.WSAECONNREFUSED])
    expect(S.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.not.equal(W.INVALID_SOCKET) // one descriptor was still free
  })

  it('after a socket closes, a later accept resumes listening and receives the next connection', async () => {
    const p = pair(65)
    const S = server(p, 3)
    const ls = listening(S, 'Svc', 2)
    const x = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(await clients(p, 2)).to.deep.equal([0, W.WSAECONNREFUSED]) // ls, x, one queued
    expect(S.closesocket(x)).to.equal(0)
    expect(await clients(p, 1)).to.deep.equal([W.WSAECONNREFUSED]) // still paused
    expect(await p.room.run(S.accept(ls))).to.not.equal(W.INVALID_SOCKET) // takes the queued one, resumes listening
    const [acc, [, r]] = await p.room.run(Promise.all([S.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    expect(r).to.equal(0)
    expect(acc).to.not.equal(W.INVALID_SOCKET)
  })
})
