import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import {
  AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_IAS_SET, IRLMP_SEND_PDU_LEN, IRLMP_SHARP_MODE,
  IAS_ATTRIB_OCTETSEQ, IAS_ATTRIB_INT, IAS_ATTRIB_NO_CLASS, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_STR,
  encodeSockaddrIrda, decodeSockaddrIrda, decodeDeviceList, deviceListSize, encodeIasSet, encodeIasQuery, decodeIasQuery,
  deviceIdFromAddress, SOCKADDR_IRDA_SIZE,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'


const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })

/** socket + bind + listen, asserting success. */
function serve (S: IrSock, service: string, backlog = 2): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(S.bind(s, addr(0, service)), 'bind').to.equal(0)
  expect(S.listen(s, backlog), 'listen').to.equal(0)
  return s
}

/** socket + connect; returns [socket, connect result, error]. */
async function dial (p: Pair, S: IrSock, device: number, service: string): Promise<[number, number, number]> {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const r = await S.connect(s, addr(device, service))
  return [s, r, S.WSAGetLastError()]
}

/** recv until `n` bytes or end/error. */
async function recvAll (S: IrSock, s: number, n: number): Promise<Uint8Array> {
  const out: number[] = []
  const buf = new Uint8Array(4096)
  while (out.length < n) {
    const r = await S.recv(s, buf)
    if (r <= 0) break
    out.push(...buf.subarray(0, r))
  }
  return Uint8Array.from(out)
}

describe('irsock/createIrSock basics', () => {
  it('fails every call with WSANOTINITIALISED before WSAStartup', async () => {
    const room = new Room({ time: 'virtual', seed: 1 })
    const S = createIrSock(IrdaStack.create({ port: room.port('A'), nickname: 'x', seed: 1 }))
    expect(S.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
    S.WSASetLastError(0)
    expect(S.bind(1, addr(0, 'x'))).to.equal(W.SOCKET_ERROR)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
    S.WSASetLastError(0)
    expect(await room.run(S.getsockopt(1, SOL_IRLMP, IRLMP_ENUMDEVICES, new Uint8Array(deviceListSize(1))))).to.equal(W.SOCKET_ERROR)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
    S.WSASetLastError(0)
    expect(await S.recv(1, new Uint8Array(1))).to.equal(W.SOCKET_ERROR)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
    expect(S.WSACleanup()).to.equal(W.SOCKET_ERROR)
    expect(S.WSAGetLastError()).to.equal(W.WSANOTINITIALISED)
    expect(S.WSAStartup(0x0000)).to.equal(W.WSAVERNOTSUPPORTED)
    const data = {}
    expect(S.WSAStartup(0x0202, data)).to.equal(0)
    expect(data).to.include({ wVersion: 0x0202 })
    expect(S.WSACleanup()).to.equal(0)
    expect(S.socket(AF_IRDA, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
  })

  it('makes only SOCK_STREAM sockets of AF_IRDA, protocol 0', () => {
    const { A } = pair(2)
    expect(A.socket(2, W.SOCK_STREAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(A.WSAGetLastError()).to.equal(W.WSAEAFNOSUPPORT)
    expect(A.socket(AF_IRDA, W.SOCK_DGRAM, 0)).to.equal(W.INVALID_SOCKET)
    expect(A.WSAGetLastError()).to.equal(W.WSAESOCKTNOSUPPORT)
    expect(A.socket(AF_IRDA, W.SOCK_SEQPACKET, 0)).to.equal(W.INVALID_SOCKET)
    expect(A.WSAGetLastError()).to.equal(W.WSAESOCKTNOSUPPORT)
    expect(A.socket(AF_IRDA, W.SOCK_STREAM, 6)).to.equal(W.INVALID_SOCKET)
    expect(A.WSAGetLastError()).to.equal(W.WSAEPROTONOSUPPORT)
    const s = A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(s).to.not.equal(W.INVALID_SOCKET)
    expect(A.WSAGetLastError()).to.equal(0)
    expect(A.closesocket(s)).to.equal(0)
    expect(A.closesocket(s)).to.equal(W.SOCKET_ERROR)
    expect(A.WSAGetLastError()).to.equal(W.WSAENOTSOCK)
  })

  it('bind: family in the first 2 bytes, one bind per socket, one socket per service, LSAP-SELxxx range', () => {
    const { B } = pair(3)
    const s = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(B.bind(s, encodeSockaddrIrda({ family: 2, deviceId: new Uint8Array(4), serviceName: 'Svc' }))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEFAULT)
    expect(B.bind(s, new Uint8Array(20))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEFAULT)
    expect(B.bind(s, addr(0, 'Svc'))).to.equal(0)
    expect(B.bind(s, addr(0, 'Other'))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEINVAL)
    const t = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(B.bind(t, addr(0, 'Svc'))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEADDRINUSE)
    expect(B.bind(t, addr(0, 'LSAP-SEL128'))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEADDRNOTAVAIL)
    expect(B.bind(t, addr(0, 'LSAP-SEL5'))).to.equal(0)
    const u = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(B.bind(u, addr(0, 'LSAP-SEL5'))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEADDRINUSE)
    // closing releases the service name
    expect(B.closesocket(s)).to.equal(0)
    expect(B.bind(u, addr(0, 'Svc'))).to.equal(0)
  })
})

describe('irsock/Microsoft samples', () => {
  it('server: bind/listen(2)/accept/send/recv; client: enumerate, connect to the service, exchange, closesocket delivers queued data', async () => {
    const p = pair(4)
    const { room, a, b, A, B } = p
    const ls = serve(B, 'SampleIrDAService', 2)

    // client: enumerate with a buffer for 10 devices
    const c = A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const list = new Uint8Array(deviceListSize(10))
    const len = { value: list.length }
    let devices = decodeDeviceList(list)
    for (let i = 0; i < 3 && devices.length === 0; i++) {
      expect(await room.run(A.getsockopt(c, SOL_IRLMP, IRLMP_ENUMDEVICES, list, len))).to.equal(0)
      devices = decodeDeviceList(list)
    }
    expect(devices.map(d => d.deviceName)).to.deep.equal(['server'])
    expect(len.value).to.equal(deviceListSize(1))
    expect(devices[0].hints1).to.equal(0x04)

    const dest = encodeSockaddrIrda({ family: AF_IRDA, deviceId: devices[0].deviceId, serviceName: 'SampleIrDAService' })
    const peer = new Uint8Array(SOCKADDR_IRDA_SIZE)
    const [acc, con] = await room.run(Promise.all([B.accept(ls, peer), A.connect(c, dest)]))
    expect(con).to.equal(0)
    expect(acc).to.not.equal(W.INVALID_SOCKET)
    expect(decodeSockaddrIrda(peer).deviceId).to.deep.equal(deviceIdFromAddress(a.deviceAddress))

    const pdu = new Uint8Array(4)
    expect(A.getsockopt(c, SOL_IRLMP, IRLMP_SEND_PDU_LEN, pdu)).to.equal(0)
    expect(new DataView(pdu.buffer).getUint32(0, true)).to.be.greaterThan(0)

    const hello = new TextEncoder().encode('hello server')
    expect(await room.run(A.send(c, hello))).to.equal(hello.length)
    expect(Buffer.from(await room.run(recvAll(B, acc, hello.length))).toString()).to.equal('hello server')
    const big = Uint8Array.from({ length: 6000 }, (_, i) => (i * 7) & 0xFF)
    expect(await room.run(B.send(acc, big))).to.equal(big.length)
    expect(Buffer.compare(await room.run(recvAll(A, c, big.length)), big)).to.equal(0)

    // closesocket right after send: the peer still reads everything, then end of data (0)
    const tail = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xFF)
    const sent = A.send(c, tail)
    expect(A.closesocket(c)).to.equal(0)
    expect(await sent).to.be.oneOf([tail.length, W.SOCKET_ERROR])
    const got = await room.run(recvAll(B, acc, tail.length + 1))
    expect(Buffer.compare(got, tail)).to.equal(0)
    expect(await room.run(B.recv(acc, new Uint8Array(10)))).to.equal(0)
    expect(await room.run(B.send(acc, hello))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAECONNRESET)
    expect(B.closesocket(acc)).to.equal(0)
    expect(B.closesocket(ls)).to.equal(0)
    void b
  })

  it('connect to a service nobody registered: WSAECONNREFUSED; a bound socket may not connect (WSAEINVAL)', async () => {
    const p = pair(5)
    const [, r, e] = await p.room.run(dial(p, p.A, p.b.deviceAddress, 'NoSuchService'))
    expect([r, e]).to.deep.equal([W.SOCKET_ERROR, W.WSAECONNREFUSED])
    const [, r2, e2] = await p.room.run(dial(p, p.A, p.b.deviceAddress, 'LSAP-SEL33'))
    expect([r2, e2]).to.deep.equal([W.SOCKET_ERROR, W.WSAECONNREFUSED])
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    p.A.bind(s, addr(0, 'Mine'))
    expect(await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, 'x')))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
  })

  it('IAS set and query (IRLMP_IAS_SET locally, IRLMP_IAS_QUERY on the peer)', async () => {
    const { room, b, A, B } = pair(6)
    const sb = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(B.setsockopt(sb, SOL_IRLMP, IRLMP_IAS_SET, encodeIasSet({ className: 'MyServer', attribName: 'Params', attrib: { type: IAS_ATTRIB_OCTETSEQ, value: Uint8Array.of(0, 1, 4) } }))).to.equal(0)
    expect(B.setsockopt(sb, SOL_IRLMP, IRLMP_IAS_SET, encodeIasSet({ className: 'MyServer', attribName: 'Label', attrib: { type: IAS_ATTRIB_STR, charSet: 0, value: Buffer.from('hi') } }))).to.equal(0)
    expect(B.setsockopt(sb, SOL_IRLMP, IRLMP_IAS_SET, new Uint8Array(100))).to.equal(W.SOCKET_ERROR)
    expect(B.WSAGetLastError()).to.equal(W.WSAEFAULT)
    const ls = serve(B, 'Svc')
    const sa = A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const q = async (cls: string, attr: string): Promise<ReturnType<typeof decodeIasQuery>['attrib']> => {
      const buf = encodeIasQuery({ deviceId: deviceIdFromAddress(b.deviceAddress), className: cls, attribName: attr, attrib: { type: IAS_ATTRIB_NO_ATTRIB } })
      expect(await room.run(A.getsockopt(sa, SOL_IRLMP, IRLMP_IAS_QUERY, buf))).to.equal(0)
      expect(A.WSAGetLastError()).to.equal(0)
      return decodeIasQuery(buf).attrib
    }
    expect(await q('MyServer', 'Params')).to.deep.equal({ type: IAS_ATTRIB_OCTETSEQ, value: Uint8Array.of(0, 1, 4) })
    expect(await q('MyServer', 'Label')).to.deep.equal({ type: IAS_ATTRIB_STR, charSet: 0, value: Uint8Array.from(Buffer.from('hi')) })
    expect(await q('MyServer', 'Nope')).to.deep.equal({ type: IAS_ATTRIB_NO_ATTRIB })
    expect(await q('Nope', 'Params')).to.deep.equal({ type: IAS_ATTRIB_NO_CLASS })
    const lsap = await q('Svc', 'IrDA:TinyTP:LsapSel')
    expect(lsap.type).to.equal(IAS_ATTRIB_INT)
    // closesocket removes the service from IAS
    B.closesocket(ls)
    expect(await q('Svc', 'IrDA:TinyTP:LsapSel')).to.deep.equal({ type: IAS_ATTRIB_NO_CLASS })
    // options not implemented answer WSAENOPROTOOPT
    expect(A.setsockopt(sa, SOL_IRLMP, IRLMP_SHARP_MODE, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(A.WSAGetLastError()).to.equal(W.WSAENOPROTOOPT)
  })
})

describe('irsock/WSAGetLastError', () => {
  it('returns each call\'s own error while calls on other sockets finish in the same turn', async () => {
    const p = pair(7)
    const { room, a, A, B } = p
    const ls = serve(B, 'Svc')
    void room.run(B.accept(ls))
    const [c1, r1] = await room.run(dial(p, A, p.b.deviceAddress, 'Svc'))
    expect(r1).to.equal(0)
    const c2 = A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(A.ioctlsocket(c1, W.FIONBIO, { value: 1 })).to.equal(0)
    const task = async (f: () => Promise<number>): Promise<[number, number]> => { const r = await f(); return [r, A.WSAGetLastError()] }
    const results = await room.run(Promise.all([
      task(() => A.recv(c1, new Uint8Array(8))), // nothing waiting, non-blocking
      task(() => A.send(c1, Uint8Array.of(1, 2, 3))), // fine
      task(() => A.recv(c2, new Uint8Array(8))), // not connected
      task(() => A.recv(0x7777, new Uint8Array(8))), // not a socket
      task(() => A.send(c1, Uint8Array.of(1), 1, W.MSG_OOB)),
      task(() => A.accept(c2)),
    ]))
    expect(results).to.deep.equal([
      [W.SOCKET_ERROR, W.WSAEWOULDBLOCK], [3, 0], [W.SOCKET_ERROR, W.WSAENOTCONN], [W.SOCKET_ERROR, W.WSAENOTSOCK],
      [W.SOCKET_ERROR, W.WSAEOPNOTSUPP], [W.INVALID_SOCKET, W.WSAEINVAL],
    ])
    void a
  })

  it('ioctlsocket FIONREAD counts waiting bytes', async () => {
    const p = pair(8)
    const ls = serve(p.B, 'Svc')
    const [acc, [c]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p, p.A, p.b.deviceAddress, 'Svc')]))
    await p.room.run(p.B.send(acc, new Uint8Array(50)))
    const n = { value: 0 }
    for (let i = 0; i < 50 && n.value < 50; i++) { await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 50, resolve))); p.A.ioctlsocket(c, W.FIONREAD, n) }
    expect(n.value).to.equal(50)
    expect(p.A.ioctlsocket(c, 0x1234, n)).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
  })
})
