/*
 * IRLMP_IRLPT_MODE: sockets over plain IrLMP, without TinyTP. bind registers
 * "IrDA:IrLMP:LsapSel"; connect looks that attribute up and opens an LM-MUX connection.
 */
import { expect } from 'chai'
import { join } from 'node:path'
import type { IrSock } from '@irdakit/irsock'
import { AF_IRDA, SOL_IRLMP, IRLMP_IRLPT_MODE, IRLMP_SEND_PDU_LEN, encodeSockaddrIrda, deviceIdFromAddress } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'
import { requireTshark, expectCleanDecode } from '../helpers/tshark.js'
import { testDir } from '../helpers/temp-dir.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })
const ON = Uint8Array.of(1, 0, 0, 0)

function socket (S: IrSock, irlpt: boolean): number {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  if (irlpt) expect(S.setsockopt(s, SOL_IRLMP, IRLMP_IRLPT_MODE, ON)).to.equal(0)
  return s
}

function server (S: IrSock, service: string, irlpt = true): number {
  const s = socket(S, irlpt)
  expect(S.bind(s, addr(0, service))).to.equal(0)
  expect(S.listen(s, 2)).to.equal(0)
  return s
}

async function dial (p: Pair, service: string, irlpt = true): Promise<[number, number, number]> {
  const s = socket(p.A, irlpt)
  const r = await p.A.connect(s, addr(p.b.deviceAddress, service))
  return [s, r, p.A.WSAGetLastError()]
}

async function recvN (S: IrSock, s: number, n: number): Promise<Uint8Array> {
  const out: number[] = []
  const buf = new Uint8Array(4096)
  while (out.length < n) {
    const r = await S.recv(s, buf)
    if (r <= 0) throw new Error(`recv ${r} error ${S.WSAGetLastError()}`)
    out.push(...buf.subarray(0, r))
  }
  return Uint8Array.from(out)
}

describe('irsock/IRLMP_IRLPT_MODE (IrLMP without TinyTP)', () => {
  it('bind registers IrDA:IrLMP:LsapSel (not TinyTP\'s); an IrLPT client finds it and both sides exchange exact bytes', async () => {
    const p = pair(111)
    const ls = server(p.B, 'Printer')
    const obj = p.b.ias.findByClass('Printer')[0]
    expect([...obj.attributes.keys()]).to.deep.equal(['IrDA:IrLMP:LsapSel'])
    const [acc, [c, r]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p, 'Printer')]))
    expect(r).to.equal(0)
    expect(p.a.lmp.connections()[0].remoteLsap).to.equal((obj.attributes.get('IrDA:IrLMP:LsapSel') as { value: number }).value)
    const job = Uint8Array.from({ length: 30_000 }, (_, i) => (i * 17 + 3) & 0xFF)
    const status = Uint8Array.from(Buffer.from('\x1b%-12345X@PJL INFO STATUS\r\n', 'latin1'))
    expect(await p.room.run(p.A.send(c, job))).to.equal(job.length)
    expect(Buffer.compare(await p.room.run(recvN(p.B, acc, job.length)), job)).to.equal(0)
    expect(await p.room.run(p.B.send(acc, status))).to.equal(status.length)
    expect(Buffer.compare(await p.room.run(recvN(p.A, c, status.length)), status)).to.equal(0)
    // no TinyTP: one send unit is a whole LM data PDU
    const v = new Uint8Array(4)
    expect(p.A.getsockopt(c, SOL_IRLMP, IRLMP_SEND_PDU_LEN, v)).to.equal(0)
    expect(new DataView(v.buffer).getUint32(0, true)).to.equal(p.a.lmp.maxDataSize())
    // an orderly close: the peer reads 0
    expect(p.A.closesocket(c)).to.equal(0)
    expect(await p.room.run(p.B.recv(acc, new Uint8Array(8)))).to.equal(0)
  })

  it('IrLPT and TinyTP services do not meet: either client gets WSAECONNREFUSED from the other kind of server', async () => {
    const p = pair(112)
    server(p.B, 'Plain', false)
    const ls = server(p.B, 'Raw', true)
    expect((await p.room.run(dial(p, 'Plain', true))).slice(1)).to.deep.equal([W.SOCKET_ERROR, W.WSAECONNREFUSED])
    expect((await p.room.run(dial(p, 'Raw', false))).slice(1)).to.deep.equal([W.SOCKET_ERROR, W.WSAECONNREFUSED])
    // the same class may hold both attributes, one per kind of socket
    const rawTtp = server(p.B, 'Raw', false)
    expect(p.b.ias.findByClass('Raw')[0].attributes.size).to.equal(2)
    const t = socket(p.B, true)
    expect(p.B.bind(t, addr(0, 'Raw'))).to.equal(W.SOCKET_ERROR)
    expect(p.B.WSAGetLastError()).to.equal(W.WSAEADDRINUSE)
    // closing one takes only its own attribute away
    expect(p.B.closesocket(rawTtp)).to.equal(0)
    expect([...p.b.ias.findByClass('Raw')[0].attributes.keys()]).to.deep.equal(['IrDA:IrLMP:LsapSel'])
    void p.room.run(p.B.accept(ls))
    expect((await p.room.run(dial(p, 'Raw', true))).slice(1)).to.deep.equal([0, 0])
  })

  it('is set before bind or connect only: WSAEINVAL on a bound socket, WSAEISCONN on a connected one; get is WSAENOPROTOOPT (set-only)', async () => {
    const p = pair(115)
    const b = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.B.bind(b, addr(0, 'Svc'))).to.equal(0)
    expect(p.B.setsockopt(b, SOL_IRLMP, IRLMP_IRLPT_MODE, ON)).to.equal(W.SOCKET_ERROR)
    expect(p.B.WSAGetLastError()).to.equal(W.WSAEINVAL)
    expect(p.B.listen(b, 2)).to.equal(0)
    void p.room.run(p.B.accept(b))
    const [c, r] = await p.room.run(dial(p, 'Svc', false))
    expect(r).to.equal(0)
    expect(p.A.setsockopt(c, SOL_IRLMP, IRLMP_IRLPT_MODE, ON)).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEISCONN)
    expect(p.A.getsockopt(c, SOL_IRLMP, IRLMP_IRLPT_MODE, new Uint8Array(4))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAENOPROTOOPT)
  })

  it('LSAP-SELxxx works in IrLPT mode without IAS; a hard close (SO_LINGER {1,0}) is a reset', async () => {
    const p = pair(113)
    const ls = server(p.B, 'LSAP-SEL21')
    const [acc, [c, r]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p, 'LSAP-SEL21')]))
    expect(r).to.equal(0)
    expect(p.a.lmp.connections()[0].remoteLsap).to.equal(21)
    expect(p.B.setsockopt(acc, W.SOL_SOCKET, W.SO_LINGER, Uint8Array.of(1, 0, 0, 0))).to.equal(0)
    expect(p.B.closesocket(acc)).to.equal(0)
    expect(await p.room.run(p.A.recv(c, new Uint8Array(8)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNRESET)
  })

  it('tshark decodes the session cleanly: the IAS query asks for IrDA:IrLMP:LsapSel, the data PDUs carry no TinyTP header', async function () {
    requireTshark(this)
    const p = pair(114)
    const pcap = join(testDir('irdakit-irlpt-'), 'irlpt.pcap')
    const cap = p.room.capture(pcap)
    const ls = server(p.B, 'IrLPT')
    const [acc, [c]] = await p.room.run(Promise.all([p.B.accept(ls), dial(p, 'IrLPT')]))
    const data = Uint8Array.of(0x1B, 0x45, 0x48, 0x69)
    await p.room.run(p.A.send(c, data))
    await p.room.run(recvN(p.B, acc, data.length))
    p.A.closesocket(c)
    await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 3000, resolve)))
    cap.close()
    const frames = expectCleanDecode(pcap)
    expect(frames.flatMap(f => f.fields['iap.attrname'] ?? [])).to.include('IrDA:IrLMP:LsapSel')
    expect(frames.some(f => f.protocols.includes('ttp'))).to.equal(false)
    // the 4 data bytes travel right behind the 2-byte IrLMP header
    const carrying = frames.filter(f => (f.fields['data.data'] ?? []).some(d => d.replace(/:/g, '') === '1b454869'))
    expect(carrying).to.have.length(1)
  })
})
