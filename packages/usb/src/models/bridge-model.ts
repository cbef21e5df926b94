/*!
 * A USB IrDA Bridge class device (and, with `stir421x`, a SigmaTel STIr4210) emulated at the
 * transfer level: interface FE/02/00 with bulk IN 1 / OUT 2, the class descriptor on class
 * request 6, header + frame on bulk OUT (speed and XBOFs applied after the frame, §5.4.2.2; a
 * header-only transfer changes speed alone), header + frame on bulk IN with bit 7 = media busy.
 * The device checks the FCS itself, so damaged receptions are counted and never reach the host.
 * A STIr421x model refuses frames until the firmware patch was uploaded (vendor request 2, then
 * the image on bulk OUT) and checks the image byte for byte.
 */
import type { Clock, Port } from '@irdakit/core'
import { decodeHeader, decodeStirTransfer, emitClassDescriptor, encodeInboundHeader, REQ_GET_CLASS_DESC, type ClassDescriptor } from '../drivers/bridge-codec.js'
import type { UsbControlSetup } from '../usb-device.js'
import { UsbDeviceModel } from './model-device.js'

/** A descriptor like the one USB.md's probe gave Linux: 2048-byte frames, window 1-6, MTT 1 ms and up, 2400-4M, 0 XBOFs. */
export const DEFAULT_BRIDGE_DESCRIPTOR: ClassDescriptor = {
  bcdSpecRevision: 0x0100,
  bmDataSize: 0x3F,
  bmWindowSize: 0x3F,
  bmMinTurnaroundTime: 0x07,
  wBaudRate: 0x01FF,
  bmAdditionalBOFs: 0x80,
  bIrdaRateSniff: 0,
  bMaxUnicastList: 1
}

export interface BridgeModelOptions {
  vendorId?: number
  productId?: number
  bcdDevice?: number
  descriptor?: ClassDescriptor
  /** STIr421x behaviour (3-byte headers, firmware patch needed). */
  stir421x?: { image: Uint8Array }
}

export class BridgeModel extends UsbDeviceModel {
  /** The speed the chip's IR side runs at. */
  speed = 9600
  xbofs = 12
  /** STIr421x: the patch was uploaded and matched. */
  patched: boolean
  /** Headers seen on bulk OUT, for tests. */
  readonly headers: number[] = []
  private patchBytes: Uint8Array[] | undefined
  private readonly descriptor: ClassDescriptor
  private readonly headerLen: number

  constructor (clock: Clock, medium: Port | undefined, readonly opts: BridgeModelOptions = {}) {
    super(clock, medium, {
      vendorId: opts.vendorId ?? (opts.stir421x !== undefined ? 0x066f : 0x1234),
      productId: opts.productId ?? (opts.stir421x !== undefined ? 0x4210 : 0x4949),
      bcdDevice: opts.bcdDevice ?? 0x0100,
      productName: opts.stir421x !== undefined ? 'STIr4210 model' : 'IrDA bridge model',
      configuration: {
        configurationValue: 1,
        interfaces: [{
          interfaceNumber: 0,
          alternate: {
            interfaceClass: 0xFE,
            interfaceSubclass: 0x02,
            interfaceProtocol: 0,
            endpoints: [
              { endpointNumber: 1, direction: 'in', type: 'bulk', packetSize: 64 },
              { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize: 64 }
            ]
          }
        }]
      }
    })
    this.descriptor = opts.descriptor ?? DEFAULT_BRIDGE_DESCRIPTOR
    this.headerLen = opts.stir421x !== undefined ? 3 : 1
    this.patched = opts.stir421x === undefined
  }

  protected controlIn (s: UsbControlSetup, _length: number): Uint8Array | 'stall' {
    if (s.requestType === 'class' && s.recipient === 'interface' && s.request === REQ_GET_CLASS_DESC && s.index === 0) return emitClassDescriptor(this.descriptor)
    return this.refuse(`control IN ${s.requestType}/${s.request}`)
  }

  protected controlOut (s: UsbControlSetup, data: Uint8Array): 'ok' | 'stall' {
    if (this.opts.stir421x !== undefined && s.requestType === 'vendor' && s.request === 2 && data.length === 0) {
      this.patchBytes = []
      return 'ok'
    }
    return this.refuse(`control OUT ${s.requestType}/${s.request}`)
  }

  protected async dataOut (ep: number, t: Uint8Array): Promise<'ok' | 'stall'> {
    if (ep !== 2) return this.refuse(`OUT on endpoint ${ep}`)
    if (this.patchBytes !== undefined) return this.takePatch(t)
    if (!this.patched) return this.refuse('a frame before the firmware patch')
    let header: number, frame: Uint8Array
    if (this.opts.stir421x !== undefined) {
      const d = decodeStirTransfer(t)
      if (!d.ok) return this.refuse(d.error.message)
      header = t[0]
      frame = d.value.frame
    } else {
      header = t[0]
      frame = t.subarray(1)
    }
    const h = decodeHeader(header)
    if (!h.ok) return this.refuse(h.error.message)
    this.headers.push(header)
    if (h.value.xbofs !== undefined) this.xbofs = h.value.xbofs
    if (frame.length > 0) {
      if (frame.length < 2) return this.refuse(`a ${frame.length}-byte frame`)
      await this.air(Uint8Array.from(frame), this.speed <= 115200 ? this.xbofs : 0)
    }
    // New settings apply after the frame has gone (§5.4.2.2).
    if (h.value.speed !== undefined && h.value.speed !== this.speed) {
      this.speed = h.value.speed
      await this.airSpeed(this.speed)
    }
    return 'ok'
  }

  private takePatch (t: Uint8Array): 'ok' | 'stall' {
    const image = this.opts.stir421x!.image
    this.patchBytes!.push(Uint8Array.from(t))
    const got = Buffer.concat(this.patchBytes!)
    if (got.length < image.length) return 'ok'
    this.patchBytes = undefined
    this.patched = Buffer.compare(got, Buffer.from(image)) === 0
    return this.patched ? 'ok' : this.refuse('a firmware image that differs from the expected one')
  }

  protected fromAir (frame: Uint8Array): void {
    if (!this.patched) return
    const header = new Uint8Array(this.headerLen)
    header[0] = encodeInboundHeader(this.medium?.mediaBusy ?? false, this.speed)
    this.stats.framesToHost++
    this.toHost(1, Buffer.concat([header, frame]))
  }
}
