import { expect } from 'chai'
import { LinkError } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { DongleEmulatorBinding, openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { framesOf, nextEvent, record, testFrame } from './helpers.js'

/** A host on serialport -> emulated dongle -> the room, plus the room itself. */
async function serialStation (room: Room, binding: DongleEmulatorBinding, path: string, dongle: string): Promise<SerialIrdaPort> {
  binding.attach(path, { dongle, medium: room.port(`${dongle}@${path}`) })
  return await room.run(openSerialPort({ path, dongle, binding }))
}

describe('serial/room: serialport -> emulated dongle -> IR room -> another station (virtual time)', () => {
  it('carries frames both ways between a Tekram host and a room station, at 9600 and after both go to 115200', async () => {
    const room = new Room({ time: 'virtual', seed: 7 })
    const binding = new DongleEmulatorBinding()
    const host = await serialStation(room, binding, '/dev/ttyS0', 'tekram')
    const peer = room.port('peer')
    const atPeer = record(peer)
    const atHost = record(host)
    host.send(testFrame(30, 1))
    await room.run(nextEvent(peer, 'frame'))
    peer.send(testFrame(40, 2))
    await room.run(nextEvent(host, 'frame'))
    await room.run(Promise.all([host.setSpeed(115200), peer.setSpeed(115200)]))
    host.send(testFrame(200, 3))
    await room.run(nextEvent(peer, 'frame'))
    peer.send(testFrame(300, 4))
    await room.run(nextEvent(host, 'frame'))
    expect(framesOf(atPeer)).to.deep.equal([testFrame(30, 1), testFrame(200, 3)])
    expect(framesOf(atHost)).to.deep.equal([testFrame(40, 2), testFrame(300, 4)])
    expect(binding.device('/dev/ttyS0')!.model.stats.rejectedBytes).to.equal(0)
  })

  it('a speed mismatch (dongle at 115200, peer at 9600) delivers errors, not frames', async () => {
    const room = new Room({ time: 'virtual', seed: 8 })
    const binding = new DongleEmulatorBinding()
    const host = await serialStation(room, binding, '/dev/ttyS0', 'tekram')
    const peer = room.port('peer')
    const atPeer = record(peer)
    await room.run(host.setSpeed(115200))
    host.send(testFrame(30))
    await room.run(nextEvent(peer, 'rx-error'))
    expect(framesOf(atPeer)).to.have.length(0)
  })

  it('two hosts on different dongles (Tekram and LiteLink) talk at 57600 through the room', async () => {
    const room = new Room({ time: 'virtual', seed: 9 })
    const binding = new DongleEmulatorBinding()
    const a = await serialStation(room, binding, '/dev/ttyS0', 'tekram')
    const b = await serialStation(room, binding, '/dev/ttyS1', 'litelink')
    const atB = record(b)
    await room.run(Promise.all([a.setSpeed(57600), b.setSpeed(57600)]))
    for (let i = 0; i < 5; i++) a.send(testFrame(100 + i, i))
    await room.run(new Promise<void>(resolve => b.listen(() => { if (framesOf(atB).length === 5) resolve() })))
    expect(framesOf(atB)).to.deep.equal([0, 1, 2, 3, 4].map(i => testFrame(100 + i, i)))
    b.send(testFrame(20))
    const got = await room.run(nextEvent(a, 'frame'))
    expect(got.frame).to.deep.equal(testFrame(20))
  })

  it('the host honours the peer turnaround before answering, measured on the room clock', async () => {
    const room = new Room({ time: 'virtual', seed: 10 })
    const binding = new DongleEmulatorBinding()
    const host = await serialStation(room, binding, '/dev/ttyS0', 'none')
    const peer = room.port('peer')
    host.setMinTurnaround(5)
    peer.send(testFrame(10))
    await room.run(nextEvent(host, 'frame'))
    const heardAt = room.clock.now()
    host.send(testFrame(10))
    await room.run(nextEvent(peer, 'frame'))
    const dongle = binding.device('/dev/ttyS0')!
    expect(dongle.stats.lastFrameToIrAt! - heardAt).to.be.at.least(5)
  })

  it('the dongle vanishing mid-transfer closes the port with a LinkError; a new dongle recovers the link', async () => {
    const room = new Room({ time: 'virtual', seed: 11 })
    const binding = new DongleEmulatorBinding()
    const host = await serialStation(room, binding, '/dev/ttyS0', 'tekram')
    const peer = room.port('peer')
    const atPeer = record(peer)
    for (let i = 0; i < 10; i++) host.send(testFrame(300, i))
    const closed = nextEvent(host, 'closed')
    await room.run(nextEvent(peer, 'frame'))
    binding.detach('/dev/ttyS0')
    const ev = await room.run(closed)
    expect(ev.error).to.be.instanceOf(LinkError)
    expect(framesOf(atPeer).length).to.be.lessThan(10)
    binding.attach('/dev/ttyS0', { dongle: 'tekram', medium: room.port('tekram-2') })
    const again = await room.run(openSerialPort({ path: '/dev/ttyS0', dongle: 'tekram', binding }))
    // The emulator lets a detached station's frame finish on air; wait one 300-byte frame time for it.
    await room.run(new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + 350, resolve)))
    again.send(testFrame(33))
    const got = await room.run(nextEvent(peer, 'frame'))
    expect(got.frame).to.deep.equal(testFrame(33))
  })
})
