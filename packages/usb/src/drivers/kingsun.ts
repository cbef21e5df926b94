/*!
 * Drivers for the KingSun family: KingSun/DonShine (07c0:4200, 9600 only), Dazzle (07d0:4100,
 * 2400-115200) and KS-959 (07d0:4959, 2400-57600), after Linux's kingsun-sir, ksdazzle-sir and
 * ks959-sir. The host SIR-wraps and unwraps; the chips only move bytes (see kingsun-codec.ts).
 * Their minimum turnaround need is 1 ms (Linux: min_turn_time bits &= 0x07).
 */
import { SirUnwrapper, sirWrap } from '@irdakit/phy'
import { bytesOf, type UsbDevice } from '../usb-device.js'
import { sleep, type DongleQos, type DriverContext, type DriverKind, type RxItem, type SendParams, type UsbIrdaDriver } from '../driver.js'
import { UsbDeviceError } from '../errors.js'
import { dazzlePackets, encodeSpeedParams, kingsunReport, Ks959RxCipher, ks959Obfuscate, KS959_MAX_CLEAR, KS959_RX_LENGTH, KS_REQ_RECV, KS_REQ_SEND } from './kingsun-codec.js'

/** How long a KS-959 receive poll that found nothing waits before the next one. */
const KS959_IDLE_POLL_MS = 1

abstract class SirStreamDriver implements UsbIrdaDriver {
  abstract readonly kind: DriverKind
  abstract readonly speeds: readonly number[]
  readonly timesTurnaround = false
  readonly qos: DongleQos = { minTurnaroundMs: 1 }
  protected readonly device: UsbDevice
  protected epIn = 1
  protected epOut = 2
  protected inPacketSize = 8
  protected readonly sir = new SirUnwrapper()

  constructor (protected readonly ctx: DriverContext) { this.device = ctx.device }

  async open (): Promise<void> {
    const d = this.device
    if (!d.opened) await d.open()
    if (d.configuration == null) await d.selectConfiguration(1)
    const iface = d.configuration?.interfaces[0]
    if (iface === undefined) throw new UsbDeviceError(`${this.kind}: no interface`)
    const eps = iface.alternate.endpoints
    const i = eps.find(e => e.direction === 'in' && e.type === 'interrupt')
    const o = eps.find(e => e.direction === 'out' && e.type === 'interrupt')
    if (i !== undefined) { this.epIn = i.endpointNumber; this.inPacketSize = i.packetSize }
    if (o !== undefined) this.epOut = o.endpointNumber
    if (this.needsEndpoints() && (i === undefined || o === undefined)) throw new UsbDeviceError(`${this.kind}: expected an interrupt IN and an interrupt OUT endpoint`)
    await d.claimInterface(iface.interfaceNumber)
    await this.start()
  }

  protected needsEndpoints (): boolean { return true }
  protected async start (): Promise<void> {}

  protected async control (request: number, value: number, index: number, data: Uint8Array): Promise<void> {
    const r = await this.device.controlTransferOut({ requestType: 'class', recipient: 'interface', request, value, index }, data)
    if (r.status !== 'ok') throw new UsbDeviceError(`${this.kind}: class request ${request} answered ${r.status}`)
  }

  protected async speedRequest (bps: number): Promise<void> {
    await this.control(KS_REQ_SEND, 0x0200, 0x0001, encodeSpeedParams(bps))
  }

  protected async interruptOut (data: Uint8Array): Promise<void> {
    const r = await this.device.transferOut(this.epOut, data)
    if (r.status !== 'ok') throw new UsbDeviceError(`${this.kind}: interrupt OUT answered ${r.status}`)
  }

  protected unwrap (bytes: Uint8Array): RxItem[] {
    return this.sir.push(bytes).map(ev => ev.type === 'frame' ? { type: 'frame', frame: ev.frame } : { type: 'error', reason: ev.reason })
  }

  abstract sendFrame (frame: Uint8Array, params: SendParams): Promise<void>
  abstract setSpeed (bps: number): Promise<void>
  abstract receive (): Promise<RxItem[]>

  async close (): Promise<void> {
    if (this.device.opened) await this.device.close()
  }
}

export class KingsunDriver extends SirStreamDriver {
  readonly kind = 'kingsun' as const
  readonly speeds = [9600]

  async sendFrame (frame: Uint8Array, p: SendParams): Promise<void> { await this.interruptOut(sirWrap(frame, { xbofs: p.xbofs })) }
  async setSpeed (bps: number): Promise<void> { if (bps !== 9600) throw new UsbDeviceError('KingSun/DonShine runs at 9600 bit/s only') }

  async receive (): Promise<RxItem[]> {
    const r = await this.device.transferIn(this.epIn, this.inPacketSize)
    if (r.status !== 'ok') throw new UsbDeviceError(`kingsun: interrupt IN answered ${r.status}`)
    const report = bytesOf(r)
    // Linux takes only reports of exactly wMaxPacketSize bytes.
    return report.length === this.inPacketSize ? this.unwrap(kingsunReport(report)) : []
  }
}

export class DazzleDriver extends SirStreamDriver {
  readonly kind = 'ksdazzle' as const
  readonly speeds = [2400, 9600, 19200, 38400, 57600, 115200]

  protected override async start (): Promise<void> { await this.speedRequest(9600) }

  async sendFrame (frame: Uint8Array, p: SendParams): Promise<void> {
    for (const packet of dazzlePackets(sirWrap(frame, { xbofs: p.xbofs }))) await this.interruptOut(packet)
  }

  async setSpeed (bps: number): Promise<void> { await this.speedRequest(bps); this.sir.reset() }

  async receive (): Promise<RxItem[]> {
    const r = await this.device.transferIn(this.epIn, 2048)
    if (r.status !== 'ok') throw new UsbDeviceError(`ksdazzle: interrupt IN answered ${r.status}`)
    return this.unwrap(bytesOf(r))
  }
}

export class Ks959Driver extends SirStreamDriver {
  readonly kind = 'ks959' as const
  readonly speeds = [2400, 9600, 19200, 38400, 57600]
  private readonly cipher = new Ks959RxCipher()

  protected override needsEndpoints (): boolean { return false }
  protected override async start (): Promise<void> { await this.speedRequest(9600) }

  async sendFrame (frame: Uint8Array, p: SendParams): Promise<void> {
    const wire = sirWrap(frame, { xbofs: p.xbofs })
    for (let i = 0; i < wire.length; i += KS959_MAX_CLEAR) {
      const clear = wire.subarray(i, i + KS959_MAX_CLEAR)
      await this.control(KS_REQ_SEND, clear.length, 0, ks959Obfuscate(clear))
    }
  }

  async setSpeed (bps: number): Promise<void> { await this.speedRequest(bps); this.sir.reset() }

  /** Receive is a control IN poll; the chip answers at once, with nothing when nothing came. */
  async receive (): Promise<RxItem[]> {
    const r = await this.device.controlTransferIn({ requestType: 'class', recipient: 'interface', request: KS_REQ_RECV, value: 0x0200, index: 0 }, KS959_RX_LENGTH)
    if (r.status !== 'ok') throw new UsbDeviceError(`ks959: receive poll answered ${r.status}`)
    const data = bytesOf(r)
    if (data.length === 0) {
      await sleep(this.ctx.clock, KS959_IDLE_POLL_MS)
      return []
    }
    return this.unwrap(this.cipher.clear(data))
  }
}
