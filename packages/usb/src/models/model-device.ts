/*!
 * The base of every device model: a fake USB device with the `UsbDevice` shape, whose IR side
 * is a station in an emulated room (`room.port(name)`). Subclasses answer control requests and
 * endpoint transfers as their chip does. Bulk/interrupt IN requests are held until the chip has
 * something to say (as a device NAKs); an unplug fails every pending and later transfer the
 * way libusb does (LIBUSB_ERROR_NO_DEVICE) and tells `onDisconnect` listeners.
 */
import type { Clock, Port, PortEvent } from '@irdakit/core'
import type { UsbBufferSource, UsbConfigurationInfo, UsbControlSetup, UsbDevice, UsbDirection, UsbInResult, UsbOutResult } from '../usb-device.js'

/** What every model counts. */
export interface ModelStats {
  /** Frames the model put on the medium. */
  framesToAir: number
  /** Frames handed to the host. */
  framesToHost: number
  /** Damaged receptions from the medium (counted; what reaches the host depends on the chip). */
  airErrors: number
  /** Host transfers or requests the chip refused (stalled or ignored), by what it was. */
  refused: number
  /** The last thing refused, for test messages. */
  lastRefusal: string | undefined
  /** Receptions dropped because the host did not read (the chip's buffer was full). */
  hostOverruns: number
}

/** Bytes a chip buffers per IN endpoint for a host that does not read, before it drops the oldest. */
const IN_QUEUE_BYTES = 8192

export interface ModelIdentity {
  vendorId: number
  productId: number
  /** bcdDevice, e.g. 0x0100. */
  bcdDevice: number
  productName: string
  configuration: UsbConfigurationInfo
}

type Held = { length: number, resolve: (r: UsbInResult) => void, reject: (e: Error) => void }

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)
const toBytes = (d: UsbBufferSource | undefined): Uint8Array =>
  d === undefined ? new Uint8Array(0) : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() : new Uint8Array(d).slice()

export abstract class UsbDeviceModel implements UsbDevice {
  readonly vendorId: number
  readonly productId: number
  readonly deviceVersionMajor: number
  readonly deviceVersionMinor: number
  readonly deviceVersionSubminor: number
  readonly productName: string
  readonly manufacturerName = 'irdakit device model'
  configuration: UsbConfigurationInfo | null = null
  opened = false
  /** False once unplugged. */
  present = true
  readonly stats: ModelStats = { framesToAir: 0, framesToHost: 0, airErrors: 0, refused: 0, lastRefusal: undefined, hostOverruns: 0 }
  private readonly identity: ModelIdentity
  private readonly held = new Map<number, Held[]>()
  private readonly pendingIn = new Map<number, Uint8Array[]>()
  private readonly disconnectListeners = new Set<(e: Error) => void>()
  private readonly airWaiters: Array<() => void> = []
  private readonly unlisten: (() => void) | undefined

  constructor (readonly clock: Clock, readonly medium: Port | undefined, identity: ModelIdentity) {
    this.identity = identity
    this.vendorId = identity.vendorId
    this.productId = identity.productId
    this.deviceVersionMajor = identity.bcdDevice >> 8
    this.deviceVersionMinor = identity.bcdDevice >> 4 & 0xF
    this.deviceVersionSubminor = identity.bcdDevice & 0xF
    this.productName = identity.productName
    // Like a device fresh from enumeration: configured already (the OS did it).
    this.configuration = identity.configuration
    this.unlisten = medium?.listen(ev => this.onMedium(ev))
  }

  // ---- what subclasses implement --------------------------------------------------------

  /** A control IN request: the reply bytes, or 'stall'. */
  protected abstract controlIn (setup: UsbControlSetup, length: number): Uint8Array | 'stall' | Promise<Uint8Array | 'stall'>
  /** A control OUT request: 'ok' or 'stall'. */
  protected abstract controlOut (setup: UsbControlSetup, data: Uint8Array): 'ok' | 'stall' | Promise<'ok' | 'stall'>
  /** A bulk/interrupt OUT transfer; resolves when the chip took it. */
  protected abstract dataOut (endpoint: number, data: Uint8Array): Promise<'ok' | 'stall'>
  /** A good frame arrived from the room at the chip's speed. */
  protected abstract fromAir (frame: Uint8Array): void
  /** A damaged reception arrived from the room. */
  protected fromAirError (): void {}
  /** An IN request on an endpoint with nothing queued: answer now (bytes) or hold (undefined). Interrupt-polled chips answer. */
  protected idleIn (_endpoint: number, _length: number): Uint8Array | undefined { return undefined }

  // ---- helpers for subclasses ---------------------------------------------------------

  /** Queues bytes for the host on an IN endpoint (a held request takes them at once). */
  protected toHost (endpoint: number, bytes: Uint8Array): void {
    const q = this.pendingIn.get(endpoint) ?? []
    q.push(bytes)
    while (q.reduce((n, b) => n + b.length, 0) > IN_QUEUE_BYTES) { q.shift(); this.stats.hostOverruns++ }
    this.pendingIn.set(endpoint, q)
    this.serveIn(endpoint)
  }

  /** Sends a frame on the medium; resolves once it left (the chip's transmitter is free again). */
  protected async air (frame: Uint8Array, xbofs = 0): Promise<void> {
    this.stats.framesToAir++
    if (this.medium === undefined) return
    await new Promise<void>(resolve => {
      this.airWaiters.push(resolve)
      try { this.medium!.send(frame, { xbofs }) } catch { resolve() }
    })
  }

  /** Moves the room station to `bps`, after frames already on their way. */
  protected async airSpeed (bps: number): Promise<void> {
    if (this.medium === undefined || this.medium.speed === bps) return
    await this.medium.setSpeed(bps).catch(() => {})
  }

  protected refuse (what: string): 'stall' {
    this.stats.refused++
    this.stats.lastRefusal = what
    return 'stall'
  }

  // ---- the UsbDevice surface ----------------------------------------------------------

  async open (): Promise<void> { this.check(); this.opened = true }

  async close (): Promise<void> {
    this.opened = false
    for (const [, list] of this.held) for (const h of list.splice(0)) h.reject(new Error('LIBUSB_ERROR_INTERRUPTED: transfer cancelled (device closed)'))
  }

  async selectConfiguration (value: number): Promise<void> {
    this.check()
    if (value !== this.identity.configuration.configurationValue) throw new Error(`LIBUSB_ERROR_NOT_FOUND: no configuration ${value}`)
    this.configuration = this.identity.configuration
  }

  async claimInterface (n: number): Promise<void> {
    this.checkOpen()
    if (!this.identity.configuration.interfaces.some(i => i.interfaceNumber === n)) throw new Error(`LIBUSB_ERROR_NOT_FOUND: no interface ${n}`)
  }

  async releaseInterface (_n: number): Promise<void> { this.checkOpen() }

  async controlTransferIn (setup: UsbControlSetup, length: number): Promise<UsbInResult> {
    this.checkOpen()
    const r = await this.controlIn(setup, length)
    this.check()
    if (r === 'stall') return { status: 'stall' }
    return { status: 'ok', data: view(r.slice(0, length)) }
  }

  async controlTransferOut (setup: UsbControlSetup, data?: UsbBufferSource): Promise<UsbOutResult> {
    this.checkOpen()
    const bytes = toBytes(data)
    const r = await this.controlOut(setup, bytes)
    this.check()
    return r === 'stall' ? { status: 'stall', bytesWritten: 0 } : { status: 'ok', bytesWritten: bytes.length }
  }

  async clearHalt (_d: UsbDirection, _ep: number): Promise<void> { this.checkOpen() }

  async transferIn (endpoint: number, length: number): Promise<UsbInResult> {
    this.checkOpen()
    const queued = this.pendingIn.get(endpoint)
    if (queued === undefined || queued.length === 0) {
      const now = this.idleIn(endpoint, length)
      if (now !== undefined) return { status: 'ok', data: view(now) }
    }
    return await new Promise<UsbInResult>((resolve, reject) => {
      const list = this.held.get(endpoint) ?? []
      list.push({ length, resolve, reject })
      this.held.set(endpoint, list)
      this.serveIn(endpoint)
    })
  }

  async transferOut (endpoint: number, data: UsbBufferSource): Promise<UsbOutResult> {
    this.checkOpen()
    const bytes = toBytes(data)
    // A zero-length packet only ends the previous transfer.
    if (bytes.length === 0) return { status: 'ok', bytesWritten: 0 }
    const r = await this.dataOut(endpoint, bytes)
    this.check()
    return r === 'stall' ? { status: 'stall', bytesWritten: 0 } : { status: 'ok', bytesWritten: bytes.length }
  }

  onDisconnect (listener: (e: Error) => void): () => void {
    this.disconnectListeners.add(listener)
    return () => { this.disconnectListeners.delete(listener) }
  }

  /** Pulls the dongle out: transfers fail, listeners hear of it, the station leaves the room. */
  unplug (): void {
    if (!this.present) return
    this.present = false
    this.opened = false
    const gone = new Error('LIBUSB_ERROR_NO_DEVICE: the device was unplugged')
    for (const [, list] of this.held) for (const h of list.splice(0)) h.reject(gone)
    for (const w of this.airWaiters.splice(0)) w()
    for (const l of [...this.disconnectListeners]) l(gone)
    this.unlisten?.()
    this.medium?.close().catch(() => {})
  }

  private check (): void {
    if (!this.present) throw new Error('LIBUSB_ERROR_NO_DEVICE: the device was unplugged')
  }

  private checkOpen (): void {
    this.check()
    if (!this.opened) throw new Error('InvalidStateError: the device must be opened first')
  }

  private serveIn (endpoint: number): void {
    const q = this.pendingIn.get(endpoint)
    const list = this.held.get(endpoint)
    while (q !== undefined && q.length > 0 && list !== undefined && list.length > 0) {
      const h = list.shift()!
      const head = q[0]
      const n = Math.min(h.length, head.length)
      if (n === head.length) q.shift(); else q[0] = head.subarray(n)
      h.resolve({ status: 'ok', data: view(head.slice(0, n)) })
    }
  }

  private onMedium (ev: PortEvent): void {
    if (!this.present) return
    if (ev.type === 'frame') this.fromAir(ev.frame)
    else if (ev.type === 'rx-error') { this.stats.airErrors++; this.fromAirError() }
    else if (ev.type === 'tx-done') for (const w of this.airWaiters.splice(0)) w()
  }
}
