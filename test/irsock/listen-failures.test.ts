import { expect } from 'chai'
import type { IrSock } from '@irdakit/irsock'
import { AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, encodeSockaddrIrda, decodeDeviceList, deviceListSize, deviceIdFromAddress } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })
async function dial (S: IrSock, device: number, service: string): Promise<[number, number, number]> {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const r = await S.connect(s, addr(device, service))
  return [s, r, S.WSAGetLastError()]
}
function bound (S: IrSock, service: string): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(S.bind(s, addr(0, service))).to.equal(0)
  return s
}
/** How many clients get in before the queue refuses, with nobody calling accept. */
async function admitted (p: Pair, service: string, tries: number): Promise<number[]> {
  const errs: number[] = []
  for (let i = 0; i < tries; i++) errs.push((await p.room.run(dial(p.A, p.b.deviceAddress, service)))[2])
  return errs
}

describe('irsock/listen as Windows CE documents it', () => {
  it('needs a bound socket (WSAEINVAL) that is not connected (WSAEISCONN)', async () => {
    const p = pair(11)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.A.listen(s, 2)).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    const ls = bound(p.B, 'Svc'); p.B.listen(ls, 2)
    void p.room.run(p.B.accept(ls))
    const [c, r] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    expect(r).to.equal(0)
    expect(p.A.listen(c, 2)).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEISCONN)
    expect(p.A.listen(0x4242, 2)).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOTSOCK)
  })

  it('is only for stream sockets: no other kind of IrDA socket can exist (socket() refuses it first)', () => {
    const p = pair(12)
    for (const type of [W.SOCK_DGRAM, W.SOCK_RAW, W.SOCK_RDM, W.SOCK_SEQPACKET]) {
      const s = p.A.socket(AF_IRDA, type, 0)
      expect(s).to.equal(W.INVALID_SOCKET)
      expect(p.A.listen(s, 2)).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAENOTSOCK)
    }
  })

  it('replaces a backlog below 1 by 1: one client waits, the next gets WSAECONNREFUSED', async () => {
    const p = pair(13)
    const ls = bound(p.B, 'Svc')
    expect(p.B.listen(ls, 0)).to.equal(0)
    expect(await admitted(p, 'Svc', 2)).to.deep.equal([0, W.WSAECONNREFUSED])
    expect(p.B.listen(ls, -5)).to.equal(0)
    expect(await admitted(p, 'Svc', 1)).to.deep.equal([W.WSAECONNREFUSED])
  })

  for (const backlog of [2, 5, 6, 1000, W.SOMAXCONN]) {
    it(`limits backlog ${backlog === W.SOMAXCONN ? 'SOMAXCONN (provider chooses)' : backlog} to IrSock's 2: the third waiting client gets WSAECONNREFUSED`, async () => {
      const p = pair(14 + backlog % 7)
      const ls = bound(p.B, 'Svc')
      expect(p.B.listen(ls, backlog)).to.equal(0)
      expect(await admitted(p, 'Svc', 3)).to.deep.equal([0, 0, W.WSAECONNREFUSED])
      // accepting one frees a place
      expect(await p.room.run(p.B.accept(ls))).to.not.equal(W.INVALID_SOCKET)
      expect(await admitted(p, 'Svc', 2)).to.deep.equal([0, W.WSAECONNREFUSED])
    })
  }

  it('listen again updates the backlog; connections past it are reset and dropped, their clients see the reset', async () => {
    const p = pair(21)
    const ls = bound(p.B, 'Svc')
    expect(p.B.listen(ls, 2)).to.equal(0)
    const [c1, r1] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    const [c2, r2] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    expect([r1, r2]).to.deep.equal([0, 0])
    expect(p.B.listen(ls, 1)).to.equal(0)
    // c2 was past the new backlog: reset, not closed. Its recv and send fail with WSAECONNRESET.
    expect(await p.room.run(p.A.recv(c2, new Uint8Array(4)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(await p.room.run(p.A.send(c2, Uint8Array.of(1)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    // c1 is still queued and works
    const acc = await p.room.run(p.B.accept(ls))
    expect(acc).to.not.equal(W.INVALID_SOCKET)
    expect(await p.room.run(p.A.send(c1, Uint8Array.of(9, 8)))).to.equal(2)
    const buf = new Uint8Array(4)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(2)
    expect(Array.from(buf.subarray(0, 2))).to.deep.equal([9, 8])
    // the new backlog (1) holds: one waits, the next is refused
    expect(await admitted(p, 'Svc', 2)).to.deep.equal([0, W.WSAECONNREFUSED])
  })

  it('accept on a non-listening socket is WSAEINVAL; non-blocking accept with nobody waiting is WSAEWOULDBLOCK', async () => {
    const p = pair(22)
    const ls = bound(p.B, 'Svc')
    expect(await p.B.accept(ls)).to.equal(W.INVALID_SOCKET)
    expect(p.B.WSAGetLastError()).to.equal(W.WSAEINVAL)
    p.B.listen(ls, 2)
    p.B.ioctlsocket(ls, W.FIONBIO, { value: 1 })
    expect(await p.B.accept(ls)).to.equal(W.INVALID_SOCKET)
    expect(p.B.WSAGetLastError()).to.equal(W.WSAEWOULDBLOCK)
  })
})

describe('irsock/failures never say WSAENETDOWN', () => {
  it('a blocked beam (link lost) and a closed port surface as connection errors, never 10050', async () => {
    const p = pair(31)
    const errors: number[] = []
    const note = (r: number, S: IrSock): number => { if (r === W.SOCKET_ERROR || r === W.INVALID_SOCKET) errors.push(S.WSAGetLastError()); return r }
    const ls = bound(p.B, 'Svc'); p.B.listen(ls, 2)
    const [acc, [c, r]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    expect(r).to.equal(0)
    // link lost: a pending recv on both sides ends with WSAECONNABORTED
    const t0 = p.room.clock.now()
    p.room.faults({ obstructions: [{ from: t0, to: t0 + 60_000 }] })
    const [ra, rb] = await p.room.run(Promise.all([p.A.recv(c, new Uint8Array(8)).then(x => note(x, p.A)), p.B.recv(acc, new Uint8Array(8)).then(x => note(x, p.B))]))
    expect([ra, rb]).to.deep.equal([W.SOCKET_ERROR, W.SOCKET_ERROR])
    expect(errors).to.deep.equal([W.WSAECONNABORTED, W.WSAECONNABORTED])
    note(await p.room.run(p.A.send(c, Uint8Array.of(1))), p.A)
    expect(errors.at(-1)).to.equal(W.WSAECONNABORTED)
    note(p.A.shutdown(c, W.SD_BOTH), p.A)
    // while blocked: enumerate finds nobody (numDevice 0), connect times out
    const list = new Uint8Array(deviceListSize(4))
    expect(await p.room.run(p.A.getsockopt(c, SOL_IRLMP, IRLMP_ENUMDEVICES, list))).to.equal(0)
    expect(decodeDeviceList(list)).to.have.length(0)
    const [, r2] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    note(r2, p.A)
    expect(errors.at(-1)).to.be.oneOf([W.WSAETIMEDOUT, W.WSAECONNABORTED])
    p.room.faults({})
    // reconnect, then close the server's port under the connection
    const [acc2, [c2, r3]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p.A, p.b.deviceAddress, 'Svc')]))
    expect(r3).to.equal(0)
    await p.b.port.close()
    note(await p.room.run(p.B.recv(acc2, new Uint8Array(8))), p.B)
    note(await p.room.run(p.A.recv(c2, new Uint8Array(8))), p.A)
    note(await p.room.run(p.A.send(c2, Uint8Array.of(1))), p.A)
    note(await p.room.run(p.B.send(acc2, Uint8Array.of(1))), p.B)
    const [, r4] = await p.room.run(dial(p.A, p.b.deviceAddress, 'Svc'))
    note(r4, p.A)
    expect(await p.room.run(p.B.getsockopt(ls, SOL_IRLMP, IRLMP_ENUMDEVICES, list))).to.equal(0)
    const [, r5] = await p.room.run(dial(p.B, p.a.deviceAddress, 'Svc'))
    note(r5, p.B)
    await p.room.run(p.b.close())
    const [, r6] = await p.room.run(dial(p.B, p.a.deviceAddress, 'Svc'))
    note(r6, p.B)
    expect(await p.room.run(p.B.getsockopt(ls, SOL_IRLMP, IRLMP_ENUMDEVICES, list))).to.equal(0)
    expect(errors.length).to.be.greaterThan(8)
    expect(errors).to.not.include(W.WSAENETDOWN)
    for (const e of errors) expect(e).to.be.oneOf([W.WSAECONNRESET, W.WSAECONNABORTED, W.WSAETIMEDOUT, W.WSAENETRESET, W.WSAENOTCONN, W.WSAECONNREFUSED])
  })
})
