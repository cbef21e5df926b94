import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { DongleEmulatorBinding, openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { echo, readN } from './helpers.js'

/** Stack A on serialport -> emulated dongle -> room; stack B on a plain room station. */
async function world (dongle: string, seed: number): Promise<{ room: Room, binding: DongleEmulatorBinding, a: IrdaStack, b: IrdaStack }> {
  const room = new Room({ time: 'virtual', seed })
  const binding = new DongleEmulatorBinding()
  binding.attach('/dev/ttyS0', { dongle, medium: room.port(`${dongle}-dongle`) })
  const serial = await room.run(openSerialPort({ path: '/dev/ttyS0', dongle, binding }))
  const a = IrdaStack.create({ port: serial, nickname: 'serial-host', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('peer', { supportedSpeeds: [9600, 19200, 38400, 57600, 115200] }), nickname: 'peer', seed: seed * 10 + 2 })
  return { room, binding, a, b }
}

describe('serial/stack e2e: IrDA stack over serialport -> emulated dongle -> room -> stack (virtual time)', () => {
  for (const dongle of ['tekram', 'litelink', 'mcp2120']) {
    it(`${dongle}: discovery, IAS, a TinyTP connection at the dongle's top speed and an exact echo transfer`, async () => {
      const { room, binding, a, b } = await world(dongle, 21)
      const server = b.ttpListen()
      b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
      server.on('connection', echo)
      const devices = await room.run(a.discover())
      expect(devices.map(d => d.nickname)).to.deep.equal(['peer'])
      const ias = await room.run(a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel'))
      expect(ias.entries[0].value).to.deep.equal({ type: 'integer', value: server.lsap })
      const sock = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
      // The link went to 115200 through the dongle's own speed procedure.
      expect(a.station.link?.baudRate).to.equal(115200)
      expect(binding.device('/dev/ttyS0')!.model.irSpeed(115200)).to.equal(115200)
      const payload = Uint8Array.from({ length: 6000 }, (_, i) => (i * 13 + 1) & 0xFF)
      sock.write(payload)
      const back = await room.run(readN(sock, payload.length))
      expect(Buffer.compare(Buffer.from(back), Buffer.from(payload))).to.equal(0)
      await room.run(a.close())
      await room.run(b.close())
    })
  }

  it('the dongle vanishing mid-transfer errors the socket (no hang), and a reattached dongle carries a new connection', async () => {
    const { room, binding, a, b } = await world('tekram', 22)
    const server = b.ttpListen()
    server.on('connection', echo)
    await room.run(a.discover())
    const sock = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
    sock.write(Uint8Array.from({ length: 30000 }, (_, i) => i & 0xFF))
    const reading = readN(sock, 30000)
    reading.catch(() => {})
    await room.run(new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + 300, resolve)))
    binding.detach('/dev/ttyS0')
    let err: unknown
    try { await room.run(reading) } catch (e) { err = e }
    expect(err).to.be.instanceOf(Error)
    expect(String((err as Error).message)).to.not.match(/WSAENETDOWN/)
    expect(sock.closed).to.equal(true)
    // Reattach: a new dongle, a new stack on it; the peer is still there.
    binding.attach('/dev/ttyS0', { dongle: 'tekram', medium: room.port('tekram-again') })
    const serial = await room.run(openSerialPort({ path: '/dev/ttyS0', dongle: 'tekram', binding }))
    const a2 = IrdaStack.create({ port: serial, nickname: 'serial-host', seed: 99 })
    // The peer still holds the dead link until its own link-disconnect timer fires; retry discovery
    // as applications do (libdivecomputer: up to 4 tries), here for up to 40 s of virtual time.
    let found: string[] = []
    for (let i = 0; i < 40 && !found.includes('peer'); i++) found = (await room.run(a2.discover())).map(d => d.nickname)
    expect(found).to.include('peer')
    const sock2 = await room.run(a2.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
    sock2.write(Uint8Array.of(1, 2, 3))
    expect([...await room.run(readN(sock2, 3))]).to.deep.equal([1, 2, 3])
  })
})
