/*!
 * The MosChip MCS7780 emulated at the transfer level: two bulk endpoints (IN 1, OUT 2), a
 * register file on vendor requests 0x0E/0x0F, the speed taken from the MODE register (bits 7-5,
 * FIR bit), and transfers checked byte for byte: the length prefix, then at SIR a whole SIR frame
 * with a good FCS, at MIR/FIR a good FCS-16/FCS-32. Receptions go to the host as the chip gives
 * them (SIR without BOF/EOF; MIR/FIR frame + FCS); a damaged one reaches it as a bad FCS.
 */
import type { Clock, Port } from '@irdakit/core'
import { appendFcs16, appendFcs32, checkFcs16, checkFcs32, SirUnwrapper } from '@irdakit/phy'
import { decodeMcsTransfer, MCS_IRINTX, MCS_MODE_REG, MCS_RDREQ, MCS_RESV_REG, MCS_WRREQ, mcsSirReceive, speedOfMode } from '../drivers/mcs7780-codec.js'
import type { UsbControlSetup } from '../usb-device.js'
import { UsbDeviceModel } from './model-device.js'

export class Mcs7780Model extends UsbDeviceModel {
  readonly regs = new Uint16Array(16)
  /** Every register write, in order: [register, value]. */
  readonly writes: Array<[number, number]> = []
  private transmitting = 0

  constructor (clock: Clock, medium: Port | undefined) {
    super(clock, medium, {
      vendorId: 0x9710,
      productId: 0x7780,
      bcdDevice: 0x0100,
      productName: 'MCS7780 model',
      configuration: {
        configurationValue: 1,
        interfaces: [{
          interfaceNumber: 0,
          alternate: {
            interfaceClass: 0xFF,
            interfaceSubclass: 0,
            interfaceProtocol: 0,
            endpoints: [
              { endpointNumber: 1, direction: 'in', type: 'bulk', packetSize: 64 },
              { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize: 64 }
            ]
          }
        }]
      }
    })
    this.regs[MCS_MODE_REG] = 0x0020 // 9600 after power-up
  }

  get speed (): number { return speedOfMode(this.regs[MCS_MODE_REG]) }

  protected controlIn (s: UsbControlSetup, length: number): Uint8Array | 'stall' {
    if (s.requestType !== 'vendor' || s.request !== MCS_RDREQ || s.index > 15 || length < 2) return this.refuse(`control IN ${s.requestType}/${s.request}`)
    const v = s.index === MCS_RESV_REG ? (this.transmitting > 0 ? MCS_IRINTX : 0) : this.regs[s.index]
    return Uint8Array.of(v & 0xFF, v >> 8)
  }

  protected async controlOut (s: UsbControlSetup, data: Uint8Array): Promise<'ok' | 'stall'> {
    if (s.requestType !== 'vendor' || s.request !== MCS_WRREQ || s.index > 15 || data.length !== 0) return this.refuse(`control OUT ${s.requestType}/${s.request}`)
    this.writes.push([s.index, s.value])
    const before = this.speed
    this.regs[s.index] = s.value
    if (s.index === MCS_MODE_REG && this.speed !== before) await this.airSpeed(this.speed)
    return 'ok'
  }

  protected async dataOut (ep: number, t: Uint8Array): Promise<'ok' | 'stall'> {
    if (ep !== 2) return this.refuse(`OUT on endpoint ${ep}`)
    const body = decodeMcsTransfer(t)
    if (!body.ok) return this.refuse(body.error.message)
    const frame = this.frameOf(body.value)
    if (typeof frame === 'string') return this.refuse(frame)
    this.transmitting++
    try {
      await this.air(frame.bytes, frame.xbofs)
    } finally {
      this.transmitting--
    }
    return 'ok'
  }

  /** The frame inside a transfer body at the current speed, or why there is none. */
  private frameOf (b: Uint8Array): { bytes: Uint8Array, xbofs: number } | string {
    const bps = this.speed
    if (bps <= 115200) {
      let xbofs = 0
      while (b[xbofs] === 0xFF) xbofs++
      const evs = new SirUnwrapper().push(b)
      if (evs.length !== 1 || evs[0].type !== 'frame') return `a SIR body that is not exactly one good frame (${JSON.stringify(evs.map(e => e.type === 'error' ? e.reason : 'frame'))})`
      return { bytes: evs[0].frame, xbofs }
    }
    const fcsLen = bps <= 1152000 ? 2 : 4
    if (b.length < 2 + fcsLen) return `a ${b.length}-byte ${fcsLen === 2 ? 'MIR' : 'FIR'} body`
    if (!(fcsLen === 2 ? checkFcs16(b) : checkFcs32(b))) return `a ${fcsLen === 2 ? 'MIR' : 'FIR'} body with a bad FCS`
    return { bytes: b.slice(0, b.length - fcsLen), xbofs: 0 }
  }

  protected fromAir (frame: Uint8Array): void {
    const bps = this.speed
    this.stats.framesToHost++
    this.toHost(1, bps <= 115200 ? mcsSirReceive(frame) : bps <= 1152000 ? appendFcs16(frame) : appendFcs32(frame))
  }

  /** A damaged reception: the chip passes the bytes on, the host's FCS check catches it. */
  protected override fromAirError (): void {
    const junk = Uint8Array.of(0xFF, 0x3F, 0x01, 0x5A, 0x5A, 0x5A)
    this.toHost(1, junk)
  }
}
