import { expect } from 'chai'
import fc from 'fast-check'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LinkError } from '@irdakit/core'
import { BridgeModel, bridgeCodec as C, decodeBridgeReceive, FirmwareError, openUsbPort, patchImage, Quirk } from '@irdakit/usb'
import { nextEvent, testFrame, usbWorld, wholeStack } from './helpers.js'
import { testDir } from '../helpers/temp-dir.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'))

describe('usb/bridge codec (USB IrDA Bridge class, STIr421x)', () => {
  it('parses the class descriptor the Linux guest accepted (USB.md) and reads its QoS bits', () => {
    const d = C.parseClassDescriptor(hex('0c 21 0001 3f 01 01 3e00 80 00 01'))
    expect(d.ok).to.equal(true)
    if (!d.ok) return
    expect(C.descriptorSpeeds(d.value)).to.deep.equal([9600, 19200, 38400, 57600, 115200])
    expect(C.descriptorDataSize(d.value)).to.equal(2048)
    expect(C.descriptorWindow(d.value)).to.equal(1)
    expect(C.descriptorMinTurnaroundMs(d.value)).to.equal(10)
    expect(C.emitClassDescriptor(d.value)).to.deep.equal(hex('0c 21 0001 3f 01 01 3e00 80 00 01'))
  })

  it('refuses short, mistyped or speedless descriptors as values, never throwing', () => {
    expect(C.parseClassDescriptor(hex('0c21')).ok).to.equal(false)
    expect(C.parseClassDescriptor(hex('0c 22 0001 3f 01 01 3e00 80 00 01')).ok).to.equal(false)
    expect(C.parseClassDescriptor(hex('0c 21 0001 3f 01 01 0000 80 00 01')).ok).to.equal(false)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), b => { C.parseClassDescriptor(b) }))
  })

  it('header byte: Linux\'s first header 0x32 is 9600 bit/s with 12 XBOFs; every speed/XBOF pair round-trips', () => {
    expect(C.encodeHeader({ speed: 9600, xbofs: 12 })).to.equal(0x32)
    expect(C.encodeHeader({})).to.equal(0x00)
    expect(C.encodeHeader({ speed: 4000000, xbofs: 0 })).to.equal(0x89)
    const speeds = [undefined, ...C.BRIDGE_SPEEDS]
    const xbofs = [undefined, ...C.BRIDGE_XBOFS]
    fc.assert(fc.property(fc.constantFrom(...speeds), fc.constantFrom(...xbofs), (speed, x) => {
      const d = C.decodeHeader(C.encodeHeader({ speed, xbofs: x }))
      expect(d.ok && d.value).to.deep.equal({ speed, xbofs: x })
    }))
    expect(C.decodeHeader(0x0B).ok).to.equal(false)
    expect(C.decodeHeader(0x90).ok).to.equal(false)
    expect(C.xbofsAtLeast(10)).to.equal(12)
    expect(C.xbofsAtLeast(0)).to.equal(0)
    expect(C.xbofsAtLeast(100)).to.equal(48)
  })

  it('STIr421x transfers: 3-byte header, a pad byte exactly when the length is a multiple of 128 but not 512, round trip', () => {
    const t = C.encodeStirTransfer(new Uint8Array(125), 9600, 12, 0.5)
    expect(t.length).to.equal(129)
    expect([...t.subarray(0, 3)]).to.deep.equal([0x32, 1, 4])
    expect(C.encodeStirTransfer(new Uint8Array(509), 9600, 12, 0).length).to.equal(512)
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 2100 }), fc.constantFrom(...C.BRIDGE_SPEEDS), fc.double({ min: 0, max: 20, noNaN: true }), (frame, speed, mtt) => {
      const t = C.encodeStirTransfer(frame, speed, 0, mtt)
      const len = 3 + frame.length
      expect(t.length).to.equal(len % 128 === 0 && len % 512 !== 0 ? len + 1 : len)
      const d = C.decodeStirTransfer(t)
      expect(d.ok).to.equal(true)
      if (d.ok) { expect(d.value.frame).to.deep.equal(frame); expect(d.value.header.speed).to.equal(speed) }
    }))
    expect([0, 0.01, 0.05, 0.1, 0.5, 1, 5, 10].map(C.turnaroundCode)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('bulk IN: header only = no frame, bit 7 = media busy, a 1-byte frame is a runt', () => {
    expect(decodeBridgeReceive(hex('06'), 1)).to.deep.equal([])
    expect(decodeBridgeReceive(hex('86'), 1)).to.deep.equal([{ type: 'media', busy: true }])
    expect(decodeBridgeReceive(hex('06ff'), 1)).to.deep.equal([{ type: 'error', reason: 'runt' }])
    expect(decodeBridgeReceive(hex('06ff3f01'), 1)).to.deep.equal([{ type: 'frame', frame: hex('ff3f01') }])
    expect(decodeBridgeReceive(hex('060000ff3f'), 3)).to.deep.equal([{ type: 'frame', frame: hex('ff3f') }])
  })
})

describe('usb/bridge driver over the bridge model in a virtual room', () => {
  it('the whole stack (discovery, IAS, TinyTP echo) runs over a class device and the link goes to 4 Mbit/s', async () => {
    const w = await usbWorld(31, (clock, station) => new BridgeModel(clock, station))
    expect(w.port.supportedSpeeds).to.deep.equal([2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000])
    expect(await wholeStack(w, 20000)).to.equal(4000000)
    expect(w.model.stats.refused).to.equal(0)
    // The speed change went as a header-only transfer saying 4M (code 9), after the frames before it.
    expect((w.model as BridgeModel).headers.some(h => (h & 0x0F) === 9)).to.equal(true)
  })

  it('an ACT-IR2000U (SPEED_BUG | NO_WINDOW, SIR-only descriptor) negotiates window 1 and 115200', async () => {
    const d = C.parseClassDescriptor(hex('0c 21 0001 3f 7f 01 3e00 80 00 01'))
    if (!d.ok) throw d.error
    const w = await usbWorld(32, (clock, station) => new BridgeModel(clock, station, { vendorId: 0x09c4, productId: 0x0011, descriptor: d.value }))
    expect(w.port.driver.kind).to.equal('irda-usb')
    expect((w.port.driver as unknown as { quirks: number }).quirks).to.equal(Quirk.SPEED_BUG | Quirk.NO_WINDOW)
    expect(w.port.qos.windowSize).to.equal(1)
    expect(await wholeStack(w, 3000)).to.equal(115200)
  })

  it('the port carries the device\'s limits (port.qos): a stack made without a qos option still offers window 1 on an ACT-IR2000U', async () => {
    const { Room } = await import('@irdakit/emulator')
    const { IrdaStack } = await import('@irdakit/stack')
    const room = new Room({ time: 'virtual', seed: 38 })
    const port = await room.run(openUsbPort({ device: new BridgeModel(room.clock, room.port('dongle'), { vendorId: 0x09c4, productId: 0x0011 }), clock: room.clock }))
    expect(port.qos).to.deep.include({ windowSize: 1 })
    const a = IrdaStack.create({ port, nickname: 'usb-host', seed: 1 })
    const b = IrdaStack.create({ port: room.port('peer'), nickname: 'peer', seed: 2 })
    const server = b.ttpListen()
    await room.run(a.discover())
    await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
    // What the peer may send us per turn is what we offered.
    expect(b.station.link?.txWindowSize).to.equal(1)
    await room.run(a.close())
    await room.run(b.close())
  })

  it('a header with the media-busy bit makes the port report the medium busy, and idle again after a few quiet byte times', async () => {
    class BusyBridge extends BridgeModel { raw (b: Uint8Array): void { this.toHost(1, b) } }
    const w = await usbWorld(39, (clock, station) => new BusyBridge(clock, station))
    const media: Array<{ busy: boolean, at: number }> = []
    w.port.listen(ev => { if (ev.type === 'media') media.push({ busy: ev.busy, at: ev.at }) })
    const t0 = w.room.clock.now()
    ;(w.model as BusyBridge).raw(Uint8Array.of(0x82))
    await w.room.run(nextEvent(w.port, 'media'))
    expect(w.port.mediaBusy).to.equal(true)
    await w.room.run(new Promise<void>(resolve => w.room.clock.setTimer(w.room.clock.now() + 20, resolve)))
    expect(media.map(m => m.busy)).to.deep.equal([true, false])
    // Idle after 4 byte times at 9600 (about 4.2 ms).
    expect(media[1].at - t0).to.be.closeTo(40 / 9.6, 0.5)
    expect(w.port.stats.framesReceived).to.equal(0)
  })

  it('tx-done comes when the frame has had its time on the air, not when the dongle took the transfer', async () => {
    // A chip with a transmit FIFO: the transfer completes as soon as it holds the frame.
    class BufferingBridge extends BridgeModel { protected override async air (frame: Uint8Array, xbofs = 0): Promise<void> { void super.air(frame, xbofs) } }
    const w = await usbWorld(41, (clock, station) => new BufferingBridge(clock, station))
    const peer = w.room.port('listener')
    let heardAt: number | undefined
    peer.listen(ev => { if (ev.type === 'frame') heardAt ??= ev.at })
    const t0 = w.room.clock.now()
    const frame = testFrame(400)
    w.port.send(frame)
    const done = await w.room.run(nextEvent(w.port, 'tx-done'))
    await w.room.run(new Promise<void>(resolve => w.room.clock.setTimer(w.room.clock.now() + 100, resolve)))
    // At 9600 the frame takes about 425 ms on the air (escapes included); the transfer completed
    // at once. The port's floor counts framing, not escapes: within a few ms of the listener.
    expect(done.at - t0).to.be.at.least((frame.length + 4) * 10 / 9.6 - 1e-6)
    expect(heardAt, 'the listener heard the frame').to.be.a('number')
    expect(done.at).to.be.within(heardAt! - 10, heardAt!)
  })

  it('the first frame says speed and XBOFs; later frames change nothing unless the XBOFs do', async () => {
    const w = await usbWorld(33, (clock, station) => new BridgeModel(clock, station))
    const peer = w.room.port('listener')
    w.port.send(testFrame(10), { xbofs: 10 })
    w.port.send(testFrame(11), { xbofs: 10 })
    w.port.send(testFrame(12), { xbofs: 0 })
    await w.room.run(nextEvent(w.port, 'tx-done'))
    expect((w.model as BridgeModel).headers).to.deep.equal([0x32, 0x00, 0x80])
    peer.close().catch(() => {})
  })

  it('honours the peer\'s minimum turnaround before answering (room clock)', async () => {
    const w = await usbWorld(34, (clock, station) => new BridgeModel(clock, station))
    const peer = w.room.port('p2')
    w.port.setMinTurnaround(5)
    peer.send(testFrame(10))
    await w.room.run(nextEvent(w.port, 'frame'))
    const heardAt = w.room.clock.now()
    w.port.send(testFrame(10))
    await w.room.run(nextEvent(peer, 'frame'))
    // The frame (14 wire bytes at 9600: 14.6 ms on air) started no earlier than 5 ms after the reception.
    expect(w.room.clock.now() - heardAt).to.be.at.least(5 + 14.5)
  })

  it('unplugging closes the port with a LinkError (no hang, no throw); a re-plugged dongle carries the stack again', async () => {
    const w = await usbWorld(35, (clock, station) => new BridgeModel(clock, station))
    const server = w.b.ttpListen()
    server.on('connection', s => s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) }))
    await w.room.run(w.a.discover())
    const sock = await w.room.run(w.a.ttpConnect({ deviceAddress: w.b.deviceAddress, remoteLsap: server.lsap }))
    sock.write(new Uint8Array(20000))
    const closed = nextEvent(w.port, 'closed')
    await w.room.run(new Promise<void>(resolve => w.room.clock.setTimer(w.room.clock.now() + 200, resolve)))
    w.model.unplug()
    const ev = await w.room.run(closed)
    expect(ev.error).to.be.instanceOf(LinkError)
    expect(ev.error!.message).to.match(/vanished/)
    expect(w.port.closed).to.equal(true)
    w.port.send(testFrame(5))
    expect(w.port.extra.droppedAfterVanish).to.equal(1)
    // Re-plug: a new device, a new port and stack; the peer is still there.
    const again = new BridgeModel(w.room.clock, w.room.port('dongle-2'))
    const port2 = await w.room.run(openUsbPort({ device: again, clock: w.room.clock }))
    const { IrdaStack } = await import('@irdakit/stack')
    const a2 = IrdaStack.create({ port: port2, nickname: 'usb-host', seed: 77 })
    let found: string[] = []
    for (let i = 0; i < 40 && !found.includes('peer'); i++) found = (await w.room.run(a2.discover())).map(d => d.nickname)
    expect(found).to.include('peer')
  })
})

describe('usb/STIr421x: firmware patch from a user-supplied file', () => {
  /** A patch file as Linux expects it: version line, 0x1A "STMP", the image. */
  function patchFile (version: string, image: Uint8Array): Uint8Array {
    return Buffer.concat([Buffer.from(`Product Version: ${version}\r\nSigmaTel patch (test fixture made here)\r\n`, 'latin1'), Buffer.from([0x1A]), Buffer.from('STMP', 'latin1'), image])
  }
  const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xFF)

  it('checks the version against bcdDevice and cuts the image after 0x1A "STMP"', () => {
    expect(patchImage(patchFile('000.001.000', image), 0x0100)).to.deep.equal(image)
    expect(patchImage(patchFile('001.002.034', image), 0x1234)).to.deep.equal(image)
    expect(() => patchImage(patchFile('000.002.000', image), 0x0100)).to.throw(FirmwareError, /bcdDevice 0x100/)
    expect(() => patchImage(Buffer.from('hello'), 0x0100)).to.throw(FirmwareError, /not a STIr421x patch/)
  })

  it('without the file, opening fails with a FirmwareError naming the file Linux looks for ("4210 100.sb")', async () => {
    const { Room } = await import('@irdakit/emulator')
    const r = new Room({ time: 'virtual', seed: 1 })
    const model = new BridgeModel(r.clock, r.port('dongle'), { stir421x: { image } })
    let err: unknown
    try { await r.run(openUsbPort({ device: model, clock: r.clock })) } catch (e) { err = e }
    expect(err).to.be.instanceOf(FirmwareError)
    expect((err as Error).message).to.match(/4210 100\.sb/).and.match(/cannot ship/)
    expect(model.opened).to.equal(false)
  })

  it('with the file in a directory, the patch is uploaded and the whole stack runs over a STIr4210 model', async () => {
    const dir = testDir('irdakit-stir-')
    writeFileSync(join(dir, '4210 100.sb'), patchFile('000.001.000', image))
    const w = await usbWorld(37, (clock, station) => new BridgeModel(clock, station, { stir421x: { image } }), { firmware: dir })
    expect(w.port.driver.kind).to.equal('stir421x')
    expect((w.model as BridgeModel).patched).to.equal(true)
    expect(await wholeStack(w, 5000)).to.equal(4000000)
    expect(w.model.stats.refused).to.equal(0)
  })
})
