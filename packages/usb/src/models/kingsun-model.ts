/*!
 * The KingSun family emulated at the transfer level (see drivers/kingsun-codec.ts for the wire
 * formats): KingSun/DonShine (interrupt IN reports with a count byte, 9600 only), Dazzle (8-byte
 * `0xF8 + n` OUT packets, raw IN, speed by class request) and KS-959 (everything on EP0,
 * obfuscated both ways, the receive poll answered at once, empty when nothing came). The host's
 * SIR bytes are unwrapped as the chip's IR side would send them; receptions go back SIR-wrapped,
 * a damaged one as a frame with a bad FCS.
 */
import type { Clock, Port } from '@irdakit/core'
import { SirUnwrapper, sirWrap } from '@irdakit/phy'
import { dazzleUnpack, decodeSpeedParams, kingsunReports, Ks959RxCipher, ks959Deobfuscate, KS_REQ_RECV, KS_REQ_SEND } from '../drivers/kingsun-codec.js'
import type { UsbControlSetup, UsbEndpointInfo } from '../usb-device.js'
import { UsbDeviceModel } from './model-device.js'

export type KingsunVariant = 'kingsun' | 'ksdazzle' | 'ks959'

const IDS: Record<KingsunVariant, { productId: number, vendorId: number, speeds: number[], name: string, endpoints: UsbEndpointInfo[] }> = {
  kingsun: { vendorId: 0x07c0, productId: 0x4200, speeds: [9600], name: 'KingSun/DonShine model', endpoints: [{ endpointNumber: 1, direction: 'in', type: 'interrupt', packetSize: 8 }, { endpointNumber: 2, direction: 'out', type: 'interrupt', packetSize: 8 }] },
  ksdazzle: { vendorId: 0x07d0, productId: 0x4100, speeds: [2400, 9600, 19200, 38400, 57600, 115200], name: 'KingSun/Dazzle model', endpoints: [{ endpointNumber: 1, direction: 'in', type: 'interrupt', packetSize: 16 }, { endpointNumber: 2, direction: 'out', type: 'interrupt', packetSize: 8 }] },
  ks959: { vendorId: 0x07d0, productId: 0x4959, speeds: [2400, 9600, 19200, 38400, 57600], name: 'KingSun KS-959 model', endpoints: [{ endpointNumber: 1, direction: 'in', type: 'interrupt', packetSize: 8 }] }
}

/** Bytes the KS-959 model holds for a host that does not poll, before it drops what comes. */
const KS959_FIFO = 8192

export class KingsunModel extends UsbDeviceModel {
  speed = 9600
  /** Speeds set by class request, in order. */
  readonly speedRequests: number[] = []
  private readonly fromHostSir = new SirUnwrapper()
  private readonly cipher = new Ks959RxCipher()
  private pending: number[] = []

  constructor (clock: Clock, medium: Port | undefined, readonly variant: KingsunVariant) {
    const id = IDS[variant]
    super(clock, medium, {
      vendorId: id.vendorId,
      productId: id.productId,
      bcdDevice: 0x0100,
      productName: id.name,
      configuration: { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: 0xFF, interfaceSubclass: 0, interfaceProtocol: 0, endpoints: id.endpoints } }] }
    })
  }

  protected controlIn (s: UsbControlSetup, length: number): Uint8Array | 'stall' {
    if (this.variant === 'ks959' && s.requestType === 'class' && s.request === KS_REQ_RECV && s.value === 0x0200) {
      const clear = Uint8Array.from(this.pending.splice(0, Math.max(0, length - 8)))
      return this.cipher.hide(clear)
    }
    return this.refuse(`control IN ${s.requestType}/${s.request}`)
  }

  protected async controlOut (s: UsbControlSetup, data: Uint8Array): Promise<'ok' | 'stall'> {
    if (this.variant === 'kingsun' || s.requestType !== 'class' || s.recipient !== 'interface' || s.request !== KS_REQ_SEND) return this.refuse(`control OUT ${s.requestType}/${s.request}`)
    if (s.value === 0x0200 && s.index === 1) {
      const bps = decodeSpeedParams(data)
      if (bps === undefined || !IDS[this.variant].speeds.includes(bps)) return this.refuse(`speed parameters ${Buffer.from(data).toString('hex')}`)
      this.speedRequests.push(bps)
      this.speed = bps
      this.fromHostSir.reset()
      await this.airSpeed(bps)
      return 'ok'
    }
    if (this.variant === 'ks959' && s.index === 0) {
      const clear = ks959Deobfuscate(data, s.value)
      if (clear === undefined) return this.refuse(`a KS-959 fragment of ${data.length} bytes saying ${s.value}`)
      return await this.sirFromHost(clear)
    }
    return this.refuse(`class request 9 value ${s.value} index ${s.index}`)
  }

  protected async dataOut (ep: number, t: Uint8Array): Promise<'ok' | 'stall'> {
    if (ep !== 2 || this.variant === 'ks959') return this.refuse(`OUT on endpoint ${ep}`)
    if (this.variant === 'kingsun') return await this.sirFromHost(t)
    const payload = dazzleUnpack(t)
    if (payload === undefined) return this.refuse(`a Dazzle packet ${Buffer.from(t).toString('hex')}`)
    return await this.sirFromHost(payload)
  }

  /** SIR bytes from the host: whole frames go on air (the transfer completes when they left). */
  private async sirFromHost (bytes: Uint8Array): Promise<'ok' | 'stall'> {
    const errors: string[] = []
    for (const ev of this.fromHostSir.push(bytes)) {
      if (ev.type === 'frame') await this.air(ev.frame)
      else errors.push(ev.reason)
    }
    return errors.length > 0 ? this.refuse(`SIR bytes that did not make a good frame (${errors.join(', ')}) at ${this.speed} b/s, last piece ${Buffer.from(bytes).toString('hex')}`) : 'ok'
  }

  protected fromAir (frame: Uint8Array): void {
    this.stats.framesToHost++
    this.deliver(sirWrap(frame))
  }

  protected override fromAirError (): void {
    // What a damaged frame looks like after the chip's UART: a frame whose FCS does not match.
    this.deliver(Uint8Array.of(0xC0, 0xFF, 0x3F, 0x5A, 0x5A, 0xC1))
  }

  private deliver (wire: Uint8Array): void {
    if (this.variant === 'ks959') {
      for (const b of wire) if (this.pending.length < KS959_FIFO) this.pending.push(b); else this.stats.hostOverruns++
    } else if (this.variant === 'kingsun') {
      for (const r of kingsunReports(wire, 8)) this.toHost(1, r)
    } else {
      this.toHost(1, wire)
    }
  }
}
