/*!
 * The usbredir protocol (version 0.7, as qemu 7.2's usb-redir speaks it), the parts a device
 * server needs: packet types, the header (32-bit ids until both hellos carry 64bits_ids), the
 * capability bits we offer, and USB descriptors built from a device model. Facts:
 * usb-redirection-protocol.md of spice/usbredir, and linux-peer USB.md (what qemu was seen to do).
 * We are the usb-host side (we own the device); qemu is the usb-guest side.
 */
import type { UsbDevice } from '../usb-device.js'

export const T = {
  hello: 0, deviceConnect: 1, deviceDisconnect: 2, reset: 3, interfaceInfo: 4, epInfo: 5,
  setConfiguration: 6, getConfiguration: 7, configurationStatus: 8,
  setAltSetting: 9, getAltSetting: 10, altSettingStatus: 11,
  startInterruptReceiving: 15, stopInterruptReceiving: 16, interruptReceivingStatus: 17,
  cancelDataPacket: 21, deviceDisconnectAck: 24,
  controlPacket: 100, bulkPacket: 101, interruptPacket: 103
} as const

export const Status = { success: 0, cancelled: 1, inval: 2, ioerror: 3, stall: 4, timeout: 5, babble: 6 } as const

export const Cap = { connectDeviceVersion: 1, deviceDisconnectAck: 3, epInfoMaxPacketSize: 4, ids64: 5, bulkLength32: 6 } as const
/** What we offer (not bulk streams, filter or bulk receiving: see USB.md). */
export const OUR_CAPS = (1 << Cap.connectDeviceVersion) | (1 << Cap.deviceDisconnectAck) | (1 << Cap.epInfoMaxPacketSize) | (1 << Cap.ids64) | (1 << Cap.bulkLength32)

export interface Packet { type: number, id: bigint, body: Buffer }

/** Splits a byte stream into packets; `ids64` says which header is in use. */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0)
  ids64 = false

  push (data: Buffer): Packet[] {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data])
    const out: Packet[] = []
    for (;;) {
      const hl = this.ids64 ? 16 : 12
      if (this.buf.length < hl) break
      const type = this.buf.readUInt32LE(0)
      const len = this.buf.readUInt32LE(4)
      if (len > 1 << 24) throw new Error(`usbredir: a ${len}-byte packet`)
      if (this.buf.length < hl + len) break
      const id = this.ids64 ? this.buf.readBigUInt64LE(8) : BigInt(this.buf.readUInt32LE(8))
      out.push({ type, id, body: this.buf.subarray(hl, hl + len) })
      this.buf = this.buf.subarray(hl + len)
      // The hello always has a 32-bit id; what follows it may not (the caller flips ids64 after it).
      if (type === T.hello) break
    }
    return out
  }

  /** Bytes left over (after a hello, re-pushed once the header size is known). */
  rest (): Buffer { const r = this.buf; this.buf = Buffer.alloc(0); return r }
}

export function encodePacket (type: number, id: bigint, body: Buffer, ids64: boolean): Buffer {
  const h = Buffer.alloc(ids64 ? 16 : 12)
  h.writeUInt32LE(type, 0)
  h.writeUInt32LE(body.length, 4)
  if (ids64) h.writeBigUInt64LE(id, 8); else h.writeUInt32LE(Number(id & 0xFFFFFFFFn), 8)
  return Buffer.concat([h, body])
}

const EP_TYPE = { control: 0, isochronous: 1, bulk: 2, interrupt: 3 } as const

/** The endpoints of a device: address, USB type, max packet size, interval. */
export function endpointsOf (d: UsbDevice): Array<{ address: number, type: number, maxPacket: number, interval: number }> {
  return (d.configuration?.interfaces[0]?.alternate.endpoints ?? []).map(e => ({
    address: e.endpointNumber | (e.direction === 'in' ? 0x80 : 0),
    type: EP_TYPE[e.type],
    maxPacket: e.packetSize,
    interval: e.type === 'interrupt' ? 1 : 0
  }))
}

const utf16 = (s: string): Buffer => { const u = Buffer.from(s, 'utf16le'); return Buffer.concat([Buffer.from([2 + u.length, 3]), u]) }

/** Device, configuration and string descriptors for a model (full speed, USB 1.1, one interface). */
export function descriptorsOf (d: UsbDevice): { device: Buffer, config: Buffer, strings: Map<number, Buffer> } {
  const bcd = (d.deviceVersionMajor << 8) | (d.deviceVersionMinor << 4) | d.deviceVersionSubminor
  const device = Buffer.alloc(18)
  device.set([18, 1, 0x10, 0x01, 0, 0, 0, 64])
  device.writeUInt16LE(d.vendorId, 8)
  device.writeUInt16LE(d.productId, 10)
  device.writeUInt16LE(bcd, 12)
  device.set([1, 2, 3, 1], 14)
  const alt = d.configuration?.interfaces[0]?.alternate
  const eps = endpointsOf(d)
  const iface = Buffer.from([9, 4, 0, 0, eps.length, alt?.interfaceClass ?? 0xFF, alt?.interfaceSubclass ?? 0, alt?.interfaceProtocol ?? 0, 0])
  const epd = Buffer.concat(eps.map(e => { const b = Buffer.from([7, 5, e.address, e.type, 0, 0, e.interval]); b.writeUInt16LE(e.maxPacket, 4); return b }))
  const config = Buffer.concat([Buffer.from([9, 2, 0, 0, 1, 1, 0, 0x80, 50]), iface, epd])
  config.writeUInt16LE(config.length, 2)
  const strings = new Map<number, Buffer>([
    [0, Buffer.from([4, 3, 0x09, 0x04])],
    [1, utf16(d.manufacturerName ?? 'irdakit')],
    [2, utf16(d.productName ?? 'irdakit USB IrDA model')],
    [3, utf16(`IRDAKIT${d.vendorId.toString(16).padStart(4, '0')}${d.productId.toString(16).padStart(4, '0')}`)]
  ])
  return { device, config, strings }
}
