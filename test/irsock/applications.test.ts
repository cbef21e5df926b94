/*
 * The call sequences real IrSock applications use, each against an emulated device in a
 * virtual room, with exact bytes:
 * - Microsoft's IrCOMM client sample (IAS query of IrDA:IrCOMM "Parameters", walk PI/PL/PV for
 *   the 9-wire bit, IRLMP_9WIRE_MODE, connect to "IrDA:IrCOMM") talking AT to a modem that
 *   speaks cooked IrCOMM;
 * - a Polar S725X heart-rate monitor found by nickname and reached by IAS class "HRM"
 *   (ra1fh/s725's IrDA mode);
 * - an OBEX client trying "OBEX", "IrDA:OBEX", then "OBEX:IrXfer" (gammu's order).
 */
import { expect } from 'chai'
import { join } from 'node:path'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import {
  AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_9WIRE_MODE, IRLMP_SEND_PDU_LEN, IAS_ATTRIB_OCTETSEQ, IAS_QUERY_SIZE,
  IAS_ATTRIB_NO_ATTRIB, encodeSockaddrIrda, encodeIasQuery, decodeIasQuery, decodeDeviceList, deviceListSize, type IrdaDeviceInfo,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { requireTshark, expectCleanDecode } from '../helpers/tshark.js'
import { testDir } from '../helpers/temp-dir.js'

const bytes = (s: string): number[] => Array.from(Buffer.from(s, 'latin1'))
const sleep = async (room: Room, ms: number): Promise<void> => { await new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + ms, resolve)) }

/** A PC with an IrSock, WSAStartup done. */
function pc (room: Room): { stack: IrdaStack, S: IrSock } {
  const stack = IrdaStack.create({ port: room.port('pc', { supportedSpeeds: [9600, 115200] }), nickname: 'pc', seed: 5 })
  const S = createIrSock(stack)
  expect(S.WSAStartup(0x0202)).to.equal(0)
  return { stack, S }
}

/** ENUMDEVICES until `nickname` answers (applications retry an empty discovery). */
async function find (room: Room, S: IrSock, s: number, nickname: string, slots = 5): Promise<IrdaDeviceInfo> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const list = new Uint8Array(deviceListSize(slots))
    expect(await S.getsockopt(s, SOL_IRLMP, IRLMP_ENUMDEVICES, list)).to.equal(0)
    const d = decodeDeviceList(list).find(x => x.deviceName === nickname)
    if (d !== undefined) return d
    await sleep(room, 1000)
  }
  throw new Error(`${nickname} not found`)
}

/** recv until `n` bytes arrived; fails on end of data or an error. */
async function recvN (S: IrSock, s: number, n: number): Promise<number[]> {
  const out: number[] = []
  const buf = new Uint8Array(256)
  while (out.length < n) {
    const r = await S.recv(s, buf)
    if (r <= 0) throw new Error(`recv ${r}, error ${S.WSAGetLastError()}`)
    out.push(...buf.subarray(0, r))
  }
  return out
}

// ---- IrCOMM --------------------------------------------------------------------------------------

/** What the modem saw and how it answers. */
interface Modem { stack: IrdaStack, received: number[][] }

/**
 * An emulated IrCOMM 9-wire modem: IAS class IrDA:IrCOMM with Parameters and
 * IrDA:TinyTP:LsapSel; cooked frames (`clen | control | data`); answers "ATI\r" with
 * "OK\r\n", in two frames: the first also carries a DCE line-state parameter (PI 0x21: CTS,
 * DSR, CD), which the application must never see; with `brokenFrame`, a frame whose clen
 * runs past its end comes first, which must be dropped.
 */
function modem (room: Room, parameters: number[], opts: { brokenFrame?: boolean } = {}): Modem {
  const stack = IrdaStack.create({ port: room.port('modem', { supportedSpeeds: [9600, 115200] }), nickname: 'IrModem', hints: [0x90, 0x04], seed: 9 })
  const received: number[][] = []
  const srv = stack.ttpListen()
  stack.ias.set('IrDA:IrCOMM', 'Parameters', { type: 'octets', value: Uint8Array.from(parameters) })
  stack.ias.set('IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: srv.lsap })
  srv.on('connection', (s: TtpSocket) => {
    let line = ''
    s.on('readable', () => {
      for (let sdu = s.receive(); sdu !== undefined; sdu = s.receive()) {
        received.push(Array.from(sdu))
        line += Buffer.from(sdu.subarray(1 + sdu[0])).toString('latin1')
        if (!line.endsWith('\r')) continue
        if (line === 'ATI\r') {
          if (opts.brokenFrame === true) s.write(Uint8Array.of(0x05, 0x21, 0x01)) // clen 5 in a 3-byte frame
          s.write(Uint8Array.of(0x03, 0x21, 0x01, 0xB0, ...bytes('OK')))
          s.write(Uint8Array.of(0x00, ...bytes('\r\n')))
        }
        line = ''
      }
    })
  })
  return { stack, received }
}

/**
 * Microsoft's IrCOMM client sample: the Parameters query and its PI/PL/PV walk, then
 * IRLMP_9WIRE_MODE and connect. Returns the connected socket, or the WSA error the sample
 * reports (a device without 9-wire IrCOMM is WSAECONNREFUSED).
 */
async function ircommSample (room: Room, S: IrSock): Promise<{ s: number, error: number }> {
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const dev = await find(room, S, s, 'IrModem')
  // sizeof(IAS_QUERY) - 3 + 32, as the sample allocates it
  const query = new Uint8Array(IAS_QUERY_SIZE - 3 + 32)
  query.set(encodeIasQuery({ deviceId: dev.deviceId, className: 'IrDA:IrCOMM', attribName: 'Parameters', attrib: { type: IAS_ATTRIB_NO_ATTRIB } }))
  const len = { value: query.length }
  if (await S.getsockopt(s, SOL_IRLMP, IRLMP_IAS_QUERY, query, len) !== 0) return { s, error: S.WSAGetLastError() }
  const attrib = decodeIasQuery(query).attrib
  if (attrib.type !== IAS_ATTRIB_OCTETSEQ || attrib.value.length < 3) return { s, error: W.WSAECONNREFUSED }
  let nineWire = false
  for (let i = 0; i + 2 <= attrib.value.length; i += 2 + attrib.value[i + 1]) {
    const [pi, pl] = [attrib.value[i], attrib.value[i + 1]]
    if (pi === 0x00 && pl >= 1 && (attrib.value[i + 2] & 0x04) !== 0) nineWire = true
  }
  if (!nineWire) return { s, error: W.WSAECONNREFUSED }
  const on = new Uint8Array(4)
  new DataView(on.buffer).setUint32(0, 1, true)
  expect(S.setsockopt(s, SOL_IRLMP, IRLMP_9WIRE_MODE, on, 4)).to.equal(0)
  const r = await S.connect(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: dev.deviceId, serviceName: 'IrDA:IrCOMM' }))
  return { s, error: r === 0 ? 0 : S.WSAGetLastError() }
}

describe('irsock/applications: Microsoft IrCOMM client sample', () => {
  it('finds 9-wire in Parameters 00 01 04 01 01 00, connects cooked and gets "OK\\r\\n" for "ATI\\r"; the modem sees clen 0 frames', async () => {
    const room = new Room({ time: 'virtual', seed: 91 })
    const { S } = pc(room)
    const m = modem(room, [0x00, 0x01, 0x04, 0x01, 0x01, 0x00], { brokenFrame: true })
    const { s, error } = await room.run(ircommSample(room, S))
    expect(error).to.equal(0)
    const opt = new Uint8Array(4)
    const optlen = { value: 4 }
    expect(S.getsockopt(s, SOL_IRLMP, IRLMP_9WIRE_MODE, opt, optlen)).to.equal(0)
    expect([Array.from(opt), optlen.value]).to.deep.equal([[1, 0, 0, 0], 4])
    expect(await room.run(S.send(s, Uint8Array.from(bytes('ATI\r'))))).to.equal(4)
    expect(await room.run(recvN(S, s, 4))).to.deep.equal(bytes('OK\r\n'))
    expect(m.received).to.deep.equal([[0x00, ...bytes('ATI\r')]])
    expect(S.socketStats(s)).to.deep.equal({ droppedFrames: 1 })
    // the control parameters never reach the application: nothing else is waiting
    const n = { value: -1 }
    expect(S.ioctlsocket(s, W.FIONREAD, n)).to.equal(0)
    expect(n.value).to.equal(0)
    expect(S.closesocket(s)).to.equal(0)
  })

  it('treats a device whose Parameters lack the 9-wire bit (3-wire raw, 00 01 01) as WSAECONNREFUSED, without connecting', async () => {
    const room = new Room({ time: 'virtual', seed: 92 })
    const { S, stack } = pc(room)
    const m = modem(room, [0x00, 0x01, 0x01])
    const { error } = await room.run(ircommSample(room, S))
    expect(error).to.equal(W.WSAECONNREFUSED)
    expect(stack.lmp.connections()).to.have.length(0)
    expect(m.received).to.deep.equal([])
  })

  it('sends frames tshark decodes as IrCOMM over TinyTP without errors', async function () {
    requireTshark(this)
    const room = new Room({ time: 'virtual', seed: 93 })
    const pcap = join(testDir('irdakit-ircomm-'), 'ircomm.pcap')
    const cap = room.capture(pcap)
    const { S } = pc(room)
    modem(room, [0x00, 0x01, 0x04, 0x01, 0x01, 0x00])
    const { s, error } = await room.run(ircommSample(room, S))
    expect(error).to.equal(0)
    await room.run(S.send(s, Uint8Array.from(bytes('ATI\r'))))
    await room.run(recvN(S, s, 4))
    S.closesocket(s)
    await room.run(sleep(room, 3000))
    cap.close()
    const frames = expectCleanDecode(pcap)
    const ircomm = frames.filter(f => f.protocols.includes('ircomm'))
    expect(ircomm.length).to.be.greaterThan(0)
    expect(frames.flatMap(f => f.fields['iap.classname'] ?? [])).to.include('IrDA:IrCOMM')
  })

  it('IRLMP_SEND_PDU_LEN of a 9-wire socket leaves a byte for clen; a full-size send leaves as frames of exactly that', async () => {
    const room = new Room({ time: 'virtual', seed: 94 })
    const { S, stack } = pc(room)
    const m = modem(room, [0x00, 0x01, 0x04])
    const { s, error } = await room.run(ircommSample(room, S))
    expect(error).to.equal(0)
    const plain = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const dev = await room.run(find(room, S, plain, 'IrModem'))
    expect(await room.run(S.connect(plain, encodeSockaddrIrda({ family: AF_IRDA, deviceId: dev.deviceId, serviceName: 'IrDA:IrCOMM' })))).to.equal(0)
    const pduLen = (sock: number): number => {
      const v = new Uint8Array(4)
      expect(S.getsockopt(sock, SOL_IRLMP, IRLMP_SEND_PDU_LEN, v)).to.equal(0)
      return new DataView(v.buffer).getUint32(0, true)
    }
    // IrLMP data size - 1 (TinyTP header), and one less for clen
    expect(pduLen(plain)).to.equal(stack.lmp.maxDataSize() - 1)
    expect(pduLen(s)).to.equal(pduLen(plain) - 1)
    const data = Uint8Array.from({ length: pduLen(s) + 10 }, (_, i) => 0x20 + (i % 90))
    expect(await room.run(S.send(s, data))).to.equal(data.length)
    await room.run(sleep(room, 2000))
    expect(m.received.map(f => [f[0], f.length])).to.deep.equal([[0, pduLen(s) + 1], [0, 11]])
    expect(m.received.flatMap(f => f.slice(1))).to.deep.equal(Array.from(data))
  })
})

// ---- Polar S725X -----------------------------------------------------------------------------------

/** The record the emulated watch sends: a 2-byte little-endian length, then the exercise bytes. */
const EXERCISE = Uint8Array.from({ length: 300 }, (_, i) => (60 + (i % 120)) & 0xFF)

/**
 * An emulated Polar S725X in IrDA mode: nickname "Polar S725X", IAS class "HRM" with
 * IrDA:TinyTP:LsapSel; a one-byte request is answered with one record. (The watch's own
 * command set is not modelled: ra1fh/s725 only fixes how it is reached.)
 */
function polar (room: Room): void {
  const watch = IrdaStack.create({ port: room.port('polar', { supportedSpeeds: [9600] }), nickname: 'Polar S725X', hints: [0x00], seed: 11 })
  const srv = watch.ttpListen()
  watch.ias.set('HRM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: srv.lsap })
  srv.on('connection', (s: TtpSocket) => {
    s.on('readable', () => {
      for (let c = s.read(); c !== undefined; c = s.read()) {
        const record = new Uint8Array(2 + EXERCISE.length)
        new DataView(record.buffer).setUint16(0, EXERCISE.length, true)
        record.set(EXERCISE, 2)
        s.write(record)
      }
    })
  })
}

describe('irsock/applications: Polar S725X heart-rate monitor', () => {
  it('socket, enumerate by nickname, connect to service "HRM" (IAS lookup), read one record', async () => {
    const room = new Room({ time: 'virtual', seed: 95 })
    const { S } = pc(room)
    polar(room)
    const record = await room.run((async () => {
      const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
      const dev = await find(room, S, s, 'Polar S725X')
      expect(await S.connect(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: dev.deviceId, serviceName: 'HRM' }))).to.equal(0)
      expect(await S.send(s, Uint8Array.of(0x15))).to.equal(1)
      const head = await recvN(S, s, 2)
      const len = head[0] | (head[1] << 8)
      const body = head.length > 2 ? head.slice(2) : []
      body.push(...await recvN(S, s, len - body.length))
      expect(S.closesocket(s)).to.equal(0)
      return body
    })())
    expect(record).to.deep.equal(Array.from(EXERCISE))
  })
})

// ---- OBEX ------------------------------------------------------------------------------------------

/** An emulated OBEX device that registers only the legacy class "OBEX:IrXfer"; it answers CONNECT with success and a 1024-byte max packet. */
function obexDevice (room: Room): { requests: number[][] } {
  const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: [9600, 115200] }), nickname: 'Phone', hints: [0x80, 0x20], seed: 13 })
  const requests: number[][] = []
  const srv = phone.ttpListen()
  phone.ias.set('OBEX:IrXfer', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: srv.lsap })
  srv.on('connection', (s: TtpSocket) => {
    let pending: number[] = []
    s.on('readable', () => {
      for (let c = s.read(); c !== undefined; c = s.read()) pending.push(...c)
      // OBEX packets: opcode, u16 big-endian total length
      while (pending.length >= 3 && pending.length >= ((pending[1] << 8) | pending[2])) {
        const len = (pending[1] << 8) | pending[2]
        const packet = pending.slice(0, len)
        pending = pending.slice(len)
        requests.push(packet)
        if (packet[0] === 0x80) s.write(Uint8Array.of(0xA0, 0x00, 0x07, 0x10, 0x00, 0x04, 0x00))
      }
    })
  })
  return { requests }
}

describe('irsock/applications: OBEX client (gammu\'s service order)', () => {
  it('"OBEX" and "IrDA:OBEX" are WSAECONNREFUSED on a device with only "OBEX:IrXfer"; that one connects and CONNECT succeeds (0xA0)', async () => {
    const room = new Room({ time: 'virtual', seed: 96 })
    const { S } = pc(room)
    const dev = obexDevice(room)
    const result = await room.run((async () => {
      const probe = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
      const phone = await find(room, S, probe, 'Phone')
      S.closesocket(probe)
      const tried: Array<[string, number, number]> = []
      let connected: number | undefined
      for (const service of ['OBEX', 'IrDA:OBEX', 'OBEX:IrXfer']) {
        const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
        const r = await S.connect(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: phone.deviceId, serviceName: service }))
        tried.push([service, r, S.WSAGetLastError()])
        if (r === 0) { connected = s; break }
        S.closesocket(s)
      }
      if (connected === undefined) return { tried, response: [] }
      expect(await S.send(connected, Uint8Array.of(0x80, 0x00, 0x07, 0x10, 0x00, 0x20, 0x00))).to.equal(7)
      const response = await recvN(S, connected, 7)
      S.closesocket(connected)
      return { tried, response }
    })())
    expect(result.tried).to.deep.equal([
      ['OBEX', W.SOCKET_ERROR, W.WSAECONNREFUSED],
      ['IrDA:OBEX', W.SOCKET_ERROR, W.WSAECONNREFUSED],
      ['OBEX:IrXfer', 0, 0],
    ])
    expect(result.response).to.deep.equal([0xA0, 0x00, 0x07, 0x10, 0x00, 0x04, 0x00])
    expect(dev.requests).to.deep.equal([[0x80, 0x00, 0x07, 0x10, 0x00, 0x20, 0x00]])
  })
})
