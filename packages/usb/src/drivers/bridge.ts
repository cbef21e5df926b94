/*!
 * Driver for USB IrDA Bridge class devices (ACT-IR2000U, ESI-9685, KC-180, IBM UltraPort and any
 * FE/02 interface) and SigmaTel STIr4210/4220/4116, after Linux's irda-usb. The device wraps
 * frames itself: a bulk-OUT transfer is header + A + C + I, a bulk-IN transfer is header + frame.
 * Speed changes go as header-only transfers once earlier frames were taken, which suits the
 * SPEED_BUG devices too; an XBOF change rides on the next frame's header.
 */
import { bytesOf, bcdDevice, type UsbDevice, type UsbInterfaceInfo } from '../usb-device.js'
import { sleep, type DongleQos, type DriverContext, type RxItem, type SendParams, type UsbIrdaDriver } from '../driver.js'
import { UsbDeviceError } from '../errors.js'
import { BRIDGE_CLASS, BRIDGE_SUBCLASS, Quirk } from '../ids.js'
import {
  CLASS_DESCRIPTOR_LENGTH, descriptorDataSize, descriptorMinTurnaroundMs, descriptorSpeeds, descriptorWindow,
  encodeHeader, encodeStirTransfer, inboundBusy, parseClassDescriptor, REQ_GET_CLASS_DESC, xbofsAtLeast, type ClassDescriptor
} from './bridge-codec.js'
import { loadPatch, STIR421X_BLOCK_SIZE } from './stir421x-firmware.js'

/** Linux's receive buffer: the largest frame plus header room. */
const RX_LENGTH = 2064

export class BridgeDriver implements UsbIrdaDriver {
  readonly kind
  speeds: number[] = [9600]
  readonly timesTurnaround: boolean
  descriptor: ClassDescriptor | undefined
  qos: DongleQos = {}
  private readonly device: UsbDevice
  private iface: UsbInterfaceInfo | undefined
  private epIn = 1
  private epOut = 2
  private outPacketSize = 64
  private readonly headerLen: number
  private speed = 9600
  /** The XBOF count the device was last told; undefined until the first frame says it. */
  private xbofs: number | undefined
  private speedSent = false

  constructor (private readonly ctx: DriverContext, readonly quirks: number) {
    this.device = ctx.device
    const stir = (quirks & Quirk.STIR421X) !== 0
    this.kind = stir ? 'stir421x' as const : 'irda-usb' as const
    this.headerLen = stir ? 3 : 1
    // STIr421x takes the turnaround in its header; NO_TURN devices leave it to the host, and so
    // do we for every other bridge: waiting it on the host is never wrong.
    this.timesTurnaround = stir
  }

  async open (): Promise<void> {
    const d = this.device
    if (!d.opened) await d.open()
    if (d.configuration == null) await d.selectConfiguration(1)
    const ifaces = d.configuration?.interfaces ?? []
    const bulk = (i: UsbInterfaceInfo, dir: 'in' | 'out'): boolean => i.alternate.endpoints.some(e => e.type === 'bulk' && e.direction === dir)
    this.iface = ifaces.find(i => i.alternate.interfaceClass === BRIDGE_CLASS && i.alternate.interfaceSubclass === BRIDGE_SUBCLASS) ??
      ifaces.find(i => bulk(i, 'in') && bulk(i, 'out'))
    if (this.iface === undefined) throw new UsbDeviceError('no USB IrDA bridge interface (class FE/02 with bulk IN and OUT)')
    const eps = this.iface.alternate.endpoints
    const inEp = eps.find(e => e.type === 'bulk' && e.direction === 'in')
    const outEp = eps.find(e => e.type === 'bulk' && e.direction === 'out')
    if (inEp === undefined || outEp === undefined) throw new UsbDeviceError('the IrDA bridge interface lacks a bulk IN or bulk OUT endpoint')
    this.epIn = inEp.endpointNumber
    this.epOut = outEp.endpointNumber
    this.outPacketSize = outEp.packetSize
    await d.claimInterface(this.iface.interfaceNumber)
    await this.readDescriptor()
    if (this.kind === 'stir421x') {
      await this.patch()
      await this.readDescriptor()
    }
  }

  private async readDescriptor (): Promise<void> {
    const r = await this.device.controlTransferIn({ requestType: 'class', recipient: 'interface', request: REQ_GET_CLASS_DESC, value: 0, index: this.iface!.interfaceNumber }, CLASS_DESCRIPTOR_LENGTH)
    if (r.status !== 'ok') throw new UsbDeviceError(`the IrDA class descriptor request was answered with ${r.status}`)
    const parsed = parseClassDescriptor(bytesOf(r))
    if (!parsed.ok) throw new UsbDeviceError(parsed.error.message)
    const desc = this.descriptor = parsed.value
    let speeds = descriptorSpeeds(desc)
    if ((this.quirks & Quirk.SIR_ONLY) !== 0) speeds = speeds.filter(s => s <= 115200)
    if (!speeds.includes(9600)) throw new UsbDeviceError('the IrDA class descriptor does not offer 9600 bit/s')
    this.speeds = speeds
    let window = descriptorWindow(desc)
    if ((this.quirks & Quirk.MAX_WINDOW) !== 0) window = 7
    if ((this.quirks & Quirk.NO_WINDOW) !== 0) window = 1
    let dataSize = descriptorDataSize(desc)
    if ((this.quirks & Quirk.SMALL_PKT) !== 0) dataSize = Math.min(dataSize, 256)
    this.qos = { dataSize, windowSize: window, minTurnaroundMs: descriptorMinTurnaroundMs(desc) }
  }

  /** STIr421x: vendor request 2, 10 ms, then the patch image in 1023-byte blocks 10 ms apart. */
  private async patch (): Promise<void> {
    const { image } = loadPatch(this.ctx.firmware, bcdDevice(this.device))
    await this.device.controlTransferOut({ requestType: 'vendor', recipient: 'device', request: 2, value: 0, index: 0 })
    await sleep(this.ctx.clock, 10)
    for (let i = 0; i < image.length; i += STIR421X_BLOCK_SIZE) {
      await this.out(image.subarray(i, i + STIR421X_BLOCK_SIZE))
      await sleep(this.ctx.clock, 10)
    }
  }

  async sendFrame (frame: Uint8Array, params: SendParams): Promise<void> {
    const xbofs = (this.quirks & Quirk.MAX_XBOFS) !== 0 ? 48 : xbofsAtLeast(params.xbofs)
    if (this.kind === 'stir421x') {
      await this.out(encodeStirTransfer(frame, this.speed, xbofs, params.minTurnaroundMs))
      return
    }
    const t = new Uint8Array(1 + frame.length)
    // The first frame after open says the speed too (the device's state is unknown), as Linux does.
    t[0] = encodeHeader({ speed: this.speedSent ? undefined : this.speed, xbofs: xbofs === this.xbofs ? undefined : xbofs })
    t.set(frame, 1)
    await this.out(t)
    this.xbofs = xbofs
    this.speedSent = true
  }

  async setSpeed (bps: number): Promise<void> {
    const header = this.kind === 'stir421x'
      ? Uint8Array.of(encodeHeader({ speed: bps, xbofs: this.xbofs ?? 12 }), 0, 0)
      : Uint8Array.of(encodeHeader({ speed: bps }))
    await this.out(header)
    this.speed = bps
    this.speedSent = true
  }

  async receive (): Promise<RxItem[]> {
    const r = await this.device.transferIn(this.epIn, RX_LENGTH)
    if (r.status !== 'ok') throw new UsbDeviceError(`bulk IN answered ${r.status}`)
    return decodeBridgeReceive(bytesOf(r), this.headerLen)
  }

  async close (): Promise<void> {
    const d = this.device
    if (this.iface !== undefined) await d.releaseInterface(this.iface.interfaceNumber).catch(() => {})
    if (d.opened) await d.close()
  }

  /** One bulk-OUT transfer, ended with a zero-length packet when it fills its last packet (Linux: URB_ZERO_PACKET). */
  private async out (bytes: Uint8Array): Promise<void> {
    const r = await this.device.transferOut(this.epOut, bytes)
    if (r.status !== 'ok') throw new UsbDeviceError(`bulk OUT answered ${r.status}`)
    if (bytes.length % this.outPacketSize === 0) await this.device.transferOut(this.epOut, new Uint8Array(0))
  }
}

/** What one bulk-IN transfer of a bridge carries: a frame after the header, or only the header (no frame). */
export function decodeBridgeReceive (t: Uint8Array, headerLen: number): RxItem[] {
  if (t.length === 0) return []
  const items: RxItem[] = []
  if (inboundBusy(t[0])) items.push({ type: 'media', busy: true })
  if (t.length <= headerLen) return items
  const frame = t.slice(headerLen)
  items.push(frame.length < 2 ? { type: 'error', reason: 'runt' } : { type: 'frame', frame })
  return items
}
