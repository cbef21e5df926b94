/*
 * The IrSock mode options: IRLMP_9WIRE_MODE (IrCOMM cooked framing on TinyTP) and
 * IRLMP_EXCLUSIVE_MODE (IrLMP exclusive link access, asked for by connect), and the misuse
 * answers of every option irdakit adds or refuses.
 */
import { expect } from 'chai'
import type { IrSock } from '@irdakit/irsock'
import { parseLmpPdu } from '@irdakit/lmp'
import {
  AF_IRDA, SOL_IRLMP, IRLMP_9WIRE_MODE, IRLMP_EXCLUSIVE_MODE, IRLMP_IRLPT_MODE, IRLMP_TINYTP_MODE, IRLMP_PARAMETERS, IRLMP_DISCOVERY_MODE,
  IRLMP_SHARP_MODE, IRLMP_LAZY_DISCOVERY, IRLMP_ENUMDEVICES, IRLMP_IAS_SET, IRLMP_SEND_PDU_LEN, encodeSockaddrIrda, deviceIdFromAddress,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })
const dword = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b }
const readDword = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true)

/** getsockopt of a DWORD option: [result, value, optlen written]. */
function getDword (S: IrSock, s: number, opt: number): [number, number, number] {
  const b = new Uint8Array(4)
  const len = { value: 4 }
  const r = S.getsockopt(s, SOL_IRLMP, opt, b, len) as number
  return [r, readDword(b), len.value]
}

/** setsockopt result and error. */
function set (S: IrSock, s: number, opt: number, value: Uint8Array, optlen = value.length): [number, number] {
  const r = S.setsockopt(s, SOL_IRLMP, opt, value, optlen)
  return [r, S.WSAGetLastError()]
}

function server (S: IrSock, service: string, modes: number[] = []): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  for (const m of modes) expect(S.setsockopt(s, SOL_IRLMP, m, dword(1))).to.equal(0)
  expect(S.bind(s, addr(0, service))).to.equal(0)
  expect(S.listen(s, 2)).to.equal(0)
  return s
}

async function client (p: Pair, service: string, modes: number[] = []): Promise<[number, number, number]> {
  const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
  for (const m of modes) expect(p.A.setsockopt(s, SOL_IRLMP, m, dword(1))).to.equal(0)
  const r = await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, service)))
  return [s, r, p.A.WSAGetLastError()]
}

async function recvN (p: Pair, S: IrSock, s: number, n: number): Promise<Uint8Array> {
  const out: number[] = []
  const buf = new Uint8Array(4096)
  while (out.length < n) {
    const r = await p.room.run(S.recv(s, buf))
    if (r <= 0) throw new Error(`recv ${r} error ${S.WSAGetLastError()}`)
    out.push(...buf.subarray(0, r))
  }
  return Uint8Array.from(out)
}

describe('irsock/IRLMP_9WIRE_MODE', () => {
  it('a 9-wire client and a 9-wire server exchange exact bytes, and every data SDU on the link starts with clen 0', async () => {
    const p = pair(81)
    const sdus: number[][] = []
    const connectPdus: number[][] = []
    for (const st of [p.a, p.b]) {
      st.onFrame(rec => {
        if (rec.direction !== 'out' || rec.frame.length < 4 || (rec.frame[1] & 0x01) !== 0) return
        const pdu = parseLmpPdu(rec.frame.subarray(2))
        if (pdu.ok && (pdu.value.kind === 'connect' || pdu.value.kind === 'connect-confirm') && pdu.value.dlsap !== 0 && pdu.value.slsap !== 0) connectPdus.push(Array.from(pdu.value.userData))
        // TinyTP data PDUs with data (flow PDUs carry the header byte alone), on user selectors
        if (pdu.ok && pdu.value.kind === 'data' && pdu.value.dlsap !== 0 && pdu.value.slsap !== 0 && pdu.value.data.length > 1) sdus.push(Array.from(pdu.value.data.subarray(1)))
      })
    }
    const ls = server(p.B, 'IrDA:IrCOMM', [IRLMP_9WIRE_MODE])
    const [acc, [c, r]] = await p.room.run(Promise.all([p.B.accept(ls), client(p, 'IrDA:IrCOMM', [IRLMP_9WIRE_MODE])]))
    expect(r).to.equal(0)
    // TinyTP connect and its confirm: one byte each, P bit clear: no parameters, so no
    // MaxSduSize from either side (IrCOMM runs TinyTP without SAR)
    expect(connectPdus).to.have.length(2)
    for (const pdu of connectPdus) {
      expect(pdu).to.have.length(1)
      expect(pdu[0] & 0x80).to.equal(0)
    }
    expect(getDword(p.B, acc, IRLMP_9WIRE_MODE)).to.deep.equal([0, 1, 4]) // inherited from the listening socket
    const up = Uint8Array.from({ length: 5000 }, (_, i) => (i * 11) & 0xFF)
    const down = Uint8Array.from({ length: 3000 }, (_, i) => (i * 5 + 1) & 0xFF)
    expect(await p.room.run(p.A.send(c, up))).to.equal(up.length)
    expect(Buffer.compare(await recvN(p, p.B, acc, up.length), up)).to.equal(0)
    expect(await p.room.run(p.B.send(acc, down))).to.equal(down.length)
    expect(Buffer.compare(await recvN(p, p.A, c, down.length), down)).to.equal(0)
    expect(sdus.length).to.be.greaterThan(3)
    for (const sdu of sdus) expect(sdu[0]).to.equal(0)
    expect(sdus.reduce((n, sdu) => n + sdu.length - 1, 0)).to.equal(up.length + down.length)
  })

  it('get returns the current value as a DWORD; set works only before bind or connect (WSAEINVAL bound or listening, WSAEISCONN connected)', async () => {
    const p = pair(82)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(getDword(p.A, s, IRLMP_9WIRE_MODE)).to.deep.equal([0, 0, 4])
    expect(set(p.A, s, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([0, 0])
    expect(getDword(p.A, s, IRLMP_9WIRE_MODE)).to.deep.equal([0, 1, 4])
    expect(set(p.A, s, IRLMP_9WIRE_MODE, dword(0))).to.deep.equal([0, 0])
    expect(getDword(p.A, s, IRLMP_9WIRE_MODE)).to.deep.equal([0, 0, 4])
    const b = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.B.bind(b, addr(0, 'Svc'))).to.equal(0)
    expect(set(p.B, b, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEINVAL])
    expect(p.B.listen(b, 1)).to.equal(0)
    expect(set(p.B, b, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEINVAL])
    void p.room.run(p.B.accept(b))
    const [c, r] = await client(p, 'Svc')
    expect(r).to.equal(0)
    expect(set(p.A, c, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEISCONN])
    expect(getDword(p.A, c, IRLMP_9WIRE_MODE)).to.deep.equal([0, 0, 4])
  })

  it('9-wire and IrLPT exclude each other: cooked framing needs TinyTP (WSAEINVAL)', () => {
    const p = pair(83)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(set(p.A, s, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([0, 0])
    expect(set(p.A, s, IRLMP_IRLPT_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEINVAL])
    const t = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(set(p.A, t, IRLMP_IRLPT_MODE, dword(1))).to.deep.equal([0, 0])
    expect(set(p.A, t, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEINVAL])
    expect(set(p.A, t, IRLMP_9WIRE_MODE, dword(0))).to.deep.equal([0, 0]) // turning it off is fine
  })
})

describe('irsock/IRLMP_EXCLUSIVE_MODE', () => {
  it('connect asks for exclusive access; the link then refuses other connections (WSAEADDRINUSE) until the socket closes', async () => {
    const p = pair(84)
    const ls = server(p.B, 'Svc')
    void p.room.run(p.B.accept(ls))
    const [c, r, e] = await client(p, 'Svc', [IRLMP_EXCLUSIVE_MODE])
    expect([r, e]).to.deep.equal([0, 0])
    expect(getDword(p.A, c, IRLMP_EXCLUSIVE_MODE)).to.deep.equal([0, 1, 4])
    expect(p.a.lmp.connections().map(x => x.exclusive)).to.deep.equal([true])
    const [, r2, e2] = await client(p, 'Svc')
    expect([r2, e2]).to.deep.equal([W.SOCKET_ERROR, W.WSAEADDRINUSE])
    expect(await p.room.run(p.A.send(c, Uint8Array.of(1, 2, 3)))).to.equal(3)
    expect(p.A.closesocket(c)).to.equal(0)
    void p.room.run(p.B.accept(ls))
    const [, r3] = await client(p, 'Svc')
    expect(r3).to.equal(0)
  })

  it('a refused mode change fails connect with WSAEISCONN and closes the new connection; the socket can connect again later', async () => {
    const p = pair(85)
    const ls = server(p.B, 'Svc')
    const [other, r0] = await client(p, 'Svc') // shares the link: IrLMP grants exclusive access only to a link's sole connection
    expect(r0).to.equal(0)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.A.setsockopt(s, SOL_IRLMP, IRLMP_EXCLUSIVE_MODE, dword(1))).to.equal(0)
    expect(await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, 'Svc')))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEISCONN)
    expect(p.a.lmp.connections()).to.have.length(1)
    // the server took both connections; the refused one ends in an orderly close
    const first = await p.room.run(p.B.accept(ls))
    const second = await p.room.run(p.B.accept(ls))
    expect(await p.room.run(p.B.recv(second, new Uint8Array(4)))).to.equal(0)
    // once the link is its alone, the same socket gets exclusive access
    expect(p.A.closesocket(other)).to.equal(0)
    expect(await p.room.run(p.B.recv(first, new Uint8Array(4)))).to.equal(0)
    expect(await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, 'Svc')))).to.equal(0)
    expect(p.a.lmp.connections().map(x => x.exclusive)).to.deep.equal([true])
  })

  it('a peer that refuses the mode change (it opened a connection of its own meanwhile) fails connect with WSAEISCONN', async () => {
    const p = pair(90)
    const srv = p.b.ttpListen()
    p.b.ias.set('Busy', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: srv.lsap })
    // the moment it accepts, the peer opens a connection of its own (to a selector nobody binds)
    srv.on('connection', () => { void p.b.ttpConnect({ deviceAddress: p.a.deviceAddress, remoteLsap: 0x33 }).catch(() => undefined) })
    const answers: string[] = []
    p.b.onFrame(rec => {
      if (rec.direction !== 'out' || rec.frame.length < 4 || (rec.frame[1] & 0x01) !== 0) return
      const pdu = parseLmpPdu(rec.frame.subarray(2))
      if (pdu.ok && pdu.value.kind === 'access-mode-confirm') answers.push(pdu.value.status)
    })
    const [, r, e] = await client(p, 'Busy', [IRLMP_EXCLUSIVE_MODE])
    expect([r, e]).to.deep.equal([W.SOCKET_ERROR, W.WSAEISCONN])
    expect(answers).to.deep.equal(['failure']) // the peer said no, on the wire
    expect(p.a.lmp.connections().filter(c => c.state === 'open')).to.have.length(0)
  })

  it('setsockopt on a connected socket is WSAEISCONN (an access-mode change needs the peer\'s answer; setsockopt cannot wait for it)', async () => {
    const p = pair(86)
    const ls = server(p.B, 'Svc')
    expect(set(p.B, ls, IRLMP_EXCLUSIVE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEINVAL])
    void p.room.run(p.B.accept(ls))
    const [c, r] = await client(p, 'Svc')
    expect(r).to.equal(0)
    expect(set(p.A, c, IRLMP_EXCLUSIVE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAEISCONN])
    expect(getDword(p.A, c, IRLMP_EXCLUSIVE_MODE)).to.deep.equal([0, 0, 4])
    expect(p.a.lmp.connections().map(x => x.exclusive)).to.deep.equal([false])
  })
})

describe('irsock/option misuse', () => {
  it('a DWORD option with optlen below 4 is WSAEFAULT, on get and on set', () => {
    const p = pair(87)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const opt of [IRLMP_9WIRE_MODE, IRLMP_EXCLUSIVE_MODE, IRLMP_IRLPT_MODE]) {
      expect(set(p.A, s, opt, dword(1), 3), `set 0x${opt.toString(16)}`).to.deep.equal([W.SOCKET_ERROR, W.WSAEFAULT])
      expect(set(p.A, s, opt, new Uint8Array(2)), `set 0x${opt.toString(16)} short buffer`).to.deep.equal([W.SOCKET_ERROR, W.WSAEFAULT])
    }
    for (const opt of [IRLMP_9WIRE_MODE, IRLMP_EXCLUSIVE_MODE, IRLMP_SEND_PDU_LEN]) {
      expect(p.A.getsockopt(s, SOL_IRLMP, opt, new Uint8Array(4), { value: 3 }), `get 0x${opt.toString(16)}`).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEFAULT)
    }
    // nothing changed
    expect(getDword(p.A, s, IRLMP_9WIRE_MODE)).to.deep.equal([0, 0, 4])
    expect(getDword(p.A, s, IRLMP_EXCLUSIVE_MODE)).to.deep.equal([0, 0, 4])
  })

  it('unsupported and unknown options are WSAENOPROTOOPT; a wrong level WSAEINVAL; a closed socket WSAENOTSOCK', () => {
    const p = pair(88)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const opt of [IRLMP_TINYTP_MODE, IRLMP_PARAMETERS, IRLMP_DISCOVERY_MODE, IRLMP_SHARP_MODE, IRLMP_LAZY_DISCOVERY, 0x7F]) {
      expect(set(p.A, s, opt, dword(1)), `set 0x${opt.toString(16)}`).to.deep.equal([W.SOCKET_ERROR, W.WSAENOPROTOOPT])
      expect(p.A.getsockopt(s, SOL_IRLMP, opt, new Uint8Array(64)), `get 0x${opt.toString(16)}`).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAENOPROTOOPT)
    }
    // set-only and get-only options asked the other way round
    expect(p.A.getsockopt(s, SOL_IRLMP, IRLMP_IRLPT_MODE, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOPROTOOPT)
    expect(p.A.getsockopt(s, SOL_IRLMP, IRLMP_IAS_SET, new Uint8Array(2000))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOPROTOOPT)
    for (const opt of [IRLMP_ENUMDEVICES, IRLMP_SEND_PDU_LEN]) expect(set(p.A, s, opt, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAENOPROTOOPT])
    expect(p.A.setsockopt(s, 0x1234, IRLMP_9WIRE_MODE, dword(1))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    expect(p.A.getsockopt(s, 0x1234, IRLMP_9WIRE_MODE, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEINVAL)
    expect(p.A.closesocket(s)).to.equal(0)
    expect(set(p.A, s, IRLMP_9WIRE_MODE, dword(1))).to.deep.equal([W.SOCKET_ERROR, W.WSAENOTSOCK])
    expect(p.A.getsockopt(s, SOL_IRLMP, IRLMP_9WIRE_MODE, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOTSOCK)
  })

  it('IRLMP_SEND_PDU_LEN on a socket that is not connected is WSAENOTCONN', () => {
    const p = pair(89)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.A.getsockopt(s, SOL_IRLMP, IRLMP_SEND_PDU_LEN, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOTCONN)
  })
})
