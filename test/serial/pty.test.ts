import { expect } from 'chai'
import { LinkError } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { openSerialPort, relayFrames, type SerialIrdaPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { SerialPort } from 'serialport'
import { echo, framesOf, nextEvent, readN, record, testFrame } from './helpers.js'
import { ptyPair, skipWithoutSocat, within, type PtyPair } from './socat.js'

/**
 * The real serial path: the native serialport binding on socat ptys. One end is the host's
 * serial Port; the other end is a bridge (a plain transceiver) into a real-time Room with a
 * peer station. Real time, so every wait is bounded; no assertion is about durations.
 */
describe('serial/pty: native serialport on socat ptys, bridged into a room (real time)', function () {
  this.timeout(30000)
  let pty: PtyPair | undefined
  let room: Room | undefined
  const ports: SerialIrdaPort[] = []

  beforeEach(async function () {
    skipWithoutSocat(this)
    pty = await ptyPair()
  })

  afterEach(async () => {
    for (const p of ports.splice(0)) await within(2000, p.close(), 'close').catch(() => {})
    await room?.close()
    room = undefined
    pty?.kill()
    pty = undefined
  })

  /** Host on pty a; bridge on pty b relaying into a real-time room with station `peer`. */
  async function world (): Promise<{ host: SerialIrdaPort, peer: ReturnType<Room['port']>, relay: ReturnType<typeof relayFrames> }> {
    room = new Room({ time: 'real', seed: 3 })
    const host = await within(3000, openSerialPort({ path: pty!.a, dongle: 'none' }), 'open host')
    ports.push(host)
    const bridgeSerial = await within(3000, openSerialPort({ path: pty!.b, dongle: 'none', clock: room.clock, name: 'bridge' }), 'open bridge')
    ports.push(bridgeSerial)
    const relay = relayFrames(bridgeSerial, room.port('bridge'))
    return { host, peer: room.port('peer'), relay }
  }

  it('carries frames both ways: host -> pty -> bridge -> room -> peer and back', async function () {
    const { host, peer, relay } = await world()
    const atPeer = record(peer)
    const atHost = record(host)
    host.send(testFrame(60, 1))
    await within(3000, nextEvent(peer, 'frame'), 'frame at peer')
    peer.send(testFrame(90, 2))
    await within(3000, nextEvent(host, 'frame'), 'frame at host')
    for (let i = 0; i < 5; i++) host.send(testFrame(120, 10 + i))
    await within(5000, new Promise<void>(resolve => peer.listen(() => { if (framesOf(atPeer).length === 6) resolve() })), 'five more frames')
    expect(framesOf(atPeer)).to.deep.equal([testFrame(60, 1), ...[0, 1, 2, 3, 4].map(i => testFrame(120, 10 + i))])
    expect(framesOf(atHost)).to.deep.equal([testFrame(90, 2)])
    expect(relay.stats).to.deep.include({ aToB: 6, bToA: 1, dropped: 0 })
    expect(host.stats.framesSent).to.equal(6)
  })

  it('runs discovery, an IAS query, a TinyTP connection and an exact transfer through the ptys', async function () {
    const { host, peer } = await world()
    // A pty carries bytes at any "baud", but the bridge cannot follow a speed change: stay at 9600.
    const a = IrdaStack.create({ port: host, nickname: 'pty-host', seed: 41, qos: { speeds: [9600] } })
    const b = IrdaStack.create({ port: peer, nickname: 'room-peer', seed: 42, qos: { speeds: [9600] } })
    const server = b.ttpListen()
    b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
    server.on('connection', echo)
    const devices = await within(10000, a.discover({ slots: 1 }), 'discovery')
    expect(devices.map(d => d.nickname)).to.deep.equal(['room-peer'])
    const ias = await within(5000, a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel'), 'IAS query')
    expect(ias.entries[0].value).to.deep.equal({ type: 'integer', value: server.lsap })
    const sock = await within(10000, a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }), 'connect')
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xFF)
    sock.write(payload)
    const back = await within(10000, readN(sock, payload.length), 'echo transfer')
    expect(Buffer.compare(Buffer.from(back), Buffer.from(payload))).to.equal(0)
    await within(5000, a.close(), 'stack close')
    await within(5000, b.close(), 'stack close')
  })

  it('counts garbage from the line instead of throwing, and still receives the next good frame', async function () {
    const host = await within(3000, openSerialPort({ path: pty!.a, dongle: 'none' }), 'open host')
    ports.push(host)
    const events = record(host)
    const raw = new SerialPort({ path: pty!.b, baudRate: 9600, autoOpen: false })
    await new Promise<void>((resolve, reject) => raw.open(err => { if (err !== null) reject(err); else resolve() }))
    const { sirWrap } = await import('@irdakit/phy')
    const bad = sirWrap(testFrame(20)); bad[6] ^= 0x40
    raw.write(Buffer.from([0x01, 0x02, 0x03, ...bad, ...sirWrap(testFrame(20, 5))]))
    await within(3000, nextEvent(host, 'frame'), 'good frame after garbage')
    await new Promise<void>(resolve => raw.close(() => resolve()))
    expect(framesOf(events)).to.deep.equal([testFrame(20, 5)])
    expect(host.stats.rxErrors.garbage).to.be.greaterThan(0)
    expect(host.stats.rxErrors.fcs).to.equal(1)
  })

  it('the pty vanishing mid-transfer closes the port with a LinkError, and a new pty recovers', async function () {
    const { host } = await world()
    const closed = nextEvent(host, 'closed')
    for (let i = 0; i < 20; i++) host.send(testFrame(500, i))
    pty!.kill()
    const ev = await within(5000, closed, 'closed event')
    expect(ev.error).to.be.instanceOf(LinkError)
    host.send(testFrame(10))
    expect(host.extra.droppedAfterVanish).to.equal(1)
    // Reattach: a fresh pty pair and bridge; the link works again.
    await room!.close()
    pty = await ptyPair()
    const again = await world()
    again.host.send(testFrame(44, 9))
    const got = await within(3000, nextEvent(again.peer, 'frame'), 'frame after reattach')
    expect(got.frame).to.deep.equal(testFrame(44, 9))
  })
})
