/*!
 * The SigmaTel STIr4200 emulated at the transfer level: bulk OUT 1 / IN 2, a register file on
 * vendor requests 3 (write one) and 1 (read), FIFOCTL saying "transmitting" while a frame is on
 * air, the speed taken from MODE and PDCLK, and every bulk-OUT transfer checked: the 55 AA header
 * and length, then exactly one good SIR frame, or at 4 Mbit/s one good FIR frame. Receptions go
 * to the host as raw SIR or FIR streams; a damaged one as a frame with a bad FCS.
 */
import type { Clock, Port } from '@irdakit/core'
import { SirUnwrapper, sirWrap } from '@irdakit/phy'
import { decodeStirTransfer, FIFOCTL_DIR, FIFOCTL_EMPTY, REG_FIFOCTL, REG_MODE, REG_PDCLK, REQ_READ_REG, REQ_WRITE_SINGLE, speedOf, StirFirUnwrapper, stirFirWrap } from '../drivers/stir4200-codec.js'
import type { UsbControlSetup } from '../usb-device.js'
import { UsbDeviceModel } from './model-device.js'

export class Stir4200Model extends UsbDeviceModel {
  readonly regs = new Uint8Array(16)
  readonly writes: Array<[number, number]> = []
  speed = 9600
  private transmitting = 0

  constructor (clock: Clock, medium: Port | undefined) {
    super(clock, medium, {
      vendorId: 0x066f,
      productId: 0x4200,
      bcdDevice: 0x0100,
      productName: 'STIr4200 model',
      configuration: {
        configurationValue: 1,
        interfaces: [{
          interfaceNumber: 0,
          alternate: {
            interfaceClass: 0xFF,
            interfaceSubclass: 0,
            interfaceProtocol: 0,
            endpoints: [
              { endpointNumber: 2, direction: 'in', type: 'bulk', packetSize: 64 },
              { endpointNumber: 1, direction: 'out', type: 'bulk', packetSize: 64 }
            ]
          }
        }]
      }
    })
  }

  protected controlIn (s: UsbControlSetup, length: number): Uint8Array | 'stall' {
    if (s.requestType !== 'vendor' || s.request !== REQ_READ_REG || s.index + length > 16) return this.refuse(`control IN ${s.requestType}/${s.request}`)
    const out = this.regs.slice(s.index, s.index + length)
    if (s.index === REG_FIFOCTL) out[0] = this.transmitting > 0 ? FIFOCTL_DIR : FIFOCTL_EMPTY
    return out
  }

  protected async controlOut (s: UsbControlSetup, data: Uint8Array): Promise<'ok' | 'stall'> {
    if (s.requestType !== 'vendor' || s.request !== REQ_WRITE_SINGLE || s.index > 15 || s.value > 0xFF || data.length !== 0) return this.refuse(`control OUT ${s.requestType}/${s.request}`)
    this.writes.push([s.index, s.value])
    this.regs[s.index] = s.value
    if (s.index === REG_MODE) {
      const bps = speedOf(this.regs[REG_MODE], this.regs[REG_PDCLK])
      if (bps === undefined) return this.refuse(`MODE 0x${s.value.toString(16)} with PDCLK 0x${this.regs[REG_PDCLK].toString(16)}`)
      this.speed = bps
      await this.airSpeed(bps)
    }
    return 'ok'
  }

  protected async dataOut (ep: number, t: Uint8Array): Promise<'ok' | 'stall'> {
    if (ep !== 1) return this.refuse(`OUT on endpoint ${ep}`)
    const body = decodeStirTransfer(t)
    if (!body.ok) return this.refuse(body.error.message)
    const evs = this.speed === 4000000 ? new StirFirUnwrapper().push(body.value) : new SirUnwrapper().push(body.value)
    if (evs.length !== 1 || evs[0].type !== 'frame') return this.refuse('a transfer that is not exactly one good frame')
    let xbofs = 0
    while (this.speed !== 4000000 && body.value[xbofs] === 0xFF) xbofs++
    this.transmitting++
    try {
      await this.air(evs[0].frame, xbofs)
    } finally {
      this.transmitting--
    }
    return 'ok'
  }

  protected fromAir (frame: Uint8Array): void {
    this.stats.framesToHost++
    this.toHost(2, this.speed === 4000000 ? stirFirWrap(frame).subarray(16) : sirWrap(frame))
  }

  protected override fromAirError (): void {
    this.toHost(2, this.speed === 4000000 ? Uint8Array.of(0x7E, 0xFF, 0x3F, 1, 2, 3, 4, 0x7E) : Uint8Array.of(0xC0, 0xFF, 0x3F, 0x5A, 0x5A, 0xC1))
  }
}
