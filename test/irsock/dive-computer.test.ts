/*
 * libdivecomputer's IrDA download (src/irda.c + uwatec_smart.c) ported to IrSock: enumerate
 * with up to 4 retries 1 s apart, pick the device by nickname, connect to "LSAP-SEL1" (no IAS
 * lookup), send a command, read the answer.
 */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import { AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, encodeSockaddrIrda, decodeDeviceList, deviceListSize, type IrdaDeviceInfo } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'

const DIVE_LOG = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) & 0xFF)

/** An emulated Uwatec Aladin: TinyTP on selector 1; command 0x10 -> a 4-byte length then the log. */
function aladin (room: Room): IrdaStack {
  const dev = IrdaStack.create({ port: room.port('aladin', { supportedSpeeds: [9600] }), nickname: 'Aladin Smart Pro', hints: [0x00], seed: 77 })
  dev.ttpListen({ lsap: 1 }).on('connection', (s: TtpSocket) => {
    s.on('readable', () => {
      for (let c = s.read(); c !== undefined; c = s.read()) {
        if (c[0] === 0x10) {
          const len = new Uint8Array(4)
          new DataView(len.buffer).setUint32(0, DIVE_LOG.length, true)
          s.write(len)
          s.write(DIVE_LOG)
        }
      }
    })
  })
  return dev
}

async function sleep (room: Room, ms: number): Promise<void> {
  await new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + ms, resolve))
}

async function download (room: Room, S: IrSock): Promise<Uint8Array> {
  expect(S.WSAStartup(0x0202)).to.equal(0)
  const s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  expect(s).to.not.equal(W.INVALID_SOCKET)
  let found: IrdaDeviceInfo | undefined
  for (let attempt = 0; attempt < 5 && found === undefined; attempt++) {
    if (attempt > 0) await sleep(room, 1000)
    const list = new Uint8Array(deviceListSize(8))
    expect(await S.getsockopt(s, SOL_IRLMP, IRLMP_ENUMDEVICES, list)).to.equal(0)
    found = decodeDeviceList(list).find(d => d.deviceName.startsWith('Aladin'))
  }
  if (found === undefined) throw new Error('no dive computer found')
  const rc = await S.connect(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: found.deviceId, serviceName: 'LSAP-SEL1' }))
  expect([rc, S.WSAGetLastError()]).to.deep.equal([0, 0])
  expect(await S.send(s, Uint8Array.of(0x10))).to.equal(1)
  const parts: number[] = []
  const buf = new Uint8Array(1024)
  let total = Infinity
  while (parts.length < total) {
    const n = await S.recv(s, buf)
    if (n <= 0) throw new Error(`recv: ${n} error ${S.WSAGetLastError()}`)
    parts.push(...buf.subarray(0, n))
    if (parts.length >= 4 && total === Infinity) total = 4 + new DataView(Uint8Array.from(parts.slice(0, 4)).buffer).getUint32(0, true)
  }
  expect(S.closesocket(s)).to.equal(0)
  expect(S.WSACleanup()).to.equal(0)
  return Uint8Array.from(parts.slice(4))
}

describe('irsock/dive-computer download (libdivecomputer sequence)', () => {
  it('finds the Aladin after empty enumerations, connects to LSAP-SEL1 and reads the log', async () => {
    const room = new Room({ time: 'virtual', seed: 41 })
    const pc = IrdaStack.create({ port: room.port('pc', { supportedSpeeds: [9600, 115200] }), nickname: 'subsurface', seed: 42 })
    aladin(room)
    // The diver puts the computer in front of the dongle a little late: out of range for 1.5 s.
    room.faults({ outOfRange: [['pc', 'aladin']] })
    room.clock.setTimer(room.clock.now() + 1500, () => room.faults({}))
    const log = await room.run(download(room, createIrSock(pc)))
    expect(Buffer.compare(Buffer.from(log), Buffer.from(DIVE_LOG))).to.equal(0)
    expect(room.clock.now()).to.be.greaterThan(1500)
  })

  it('gives up with numDevice 0 when no device ever answers', async () => {
    const room = new Room({ time: 'virtual', seed: 43 })
    const pc = IrdaStack.create({ port: room.port('pc'), nickname: 'subsurface', seed: 44 })
    let err: unknown
    try { await room.run(download(room, createIrSock(pc))) } catch (e) { err = e }
    expect(String(err)).to.include('no dive computer found')
  })
})
