/*! Shared set-up of the USB tests: a model dongle in a virtual room, a stack on its driver, a peer stack. */
import { expect } from 'chai'
import type { Port, PortEvent } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { openUsbPort, type OpenUsbPortOptions, type UsbDeviceModel, type UsbIrdaPort } from '@irdakit/usb'
import type { Clock } from '@irdakit/core'
import { echo, readN } from '../helpers/ttp.js'

export { echo, readN }

export interface UsbWorld { room: Room, model: UsbDeviceModel, port: UsbIrdaPort, a: IrdaStack, b: IrdaStack }

/** A model (made from the room's clock and its station) opened through `openUsbPort`; stack A on it, stack B on a plain station. */
export async function usbWorld (seed: number, makeModel: (clock: Clock, station: Port) => UsbDeviceModel, opts: Partial<OpenUsbPortOptions> = {}, peerSpeeds?: number[]): Promise<UsbWorld> {
  const room = new Room({ time: 'virtual', seed })
  const model = makeModel(room.clock, room.port('dongle'))
  const port = await room.run(openUsbPort({ device: model, clock: room.clock, ...opts }))
  const a = IrdaStack.create({ port, nickname: 'usb-host', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('peer', peerSpeeds === undefined ? {} : { supportedSpeeds: peerSpeeds }), nickname: 'peer', seed: seed * 10 + 2 })
  return { room, model, port, a, b }
}

/** Discovery, an IAS lookup, a TinyTP connection and an exact echo of `size` bytes; returns the link speed. */
export async function wholeStack (w: UsbWorld, size = 6000): Promise<number> {
  const { room, a, b } = w
  const server = b.ttpListen()
  b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
  server.on('connection', echo)
  const devices = await room.run(a.discover())
  expect(devices.map(d => d.nickname)).to.deep.equal(['peer'])
  const ias = await room.run(a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel'))
  expect(ias.entries[0].value).to.deep.equal({ type: 'integer', value: server.lsap })
  const sock = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: server.lsap }))
  const speed = a.station.link?.baudRate ?? 0
  const payload = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 1) & 0xFF)
  sock.write(payload)
  const back = await room.run(readN(sock, payload.length))
  expect(Buffer.compare(Buffer.from(back), Buffer.from(payload))).to.equal(0)
  await room.run(a.close())
  await room.run(b.close())
  return speed
}

/** Resolves with the next event of `type` on `port`. */
export async function nextEvent<T extends PortEvent['type']> (port: Port, type: T): Promise<Extract<PortEvent, { type: T }>> {
  return await new Promise(resolve => {
    const off = port.listen(ev => { if (ev.type === type) { off(); resolve(ev as Extract<PortEvent, { type: T }>) } })
  })
}

/** A recognisable test frame: address, control, `n - 2` bytes of information. */
export function testFrame (n: number, seed = 0): Uint8Array {
  const f = Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 5) & 0xFF)
  f[0] = 0xFF; f[1] = 0x93
  return f
}
