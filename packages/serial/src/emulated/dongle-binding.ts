/*!
 * Dongle emulators as a serialport binding (the `@serialport/bindings-interface` contract, like
 * `@serialport/binding-mock`). `attach(path, { dongle, medium })` plugs an emulated dongle in at
 * `path`; `SerialPortStream`/`openSerialPort` then open it like any tty. Bytes take their wire
 * time at the host's baud rate on the dongle's clock, so emulated runs are virtual-time.
 */
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions, UpdateOptions } from '@serialport/bindings-cpp'
import { RealClock, type Clock, type Port } from '@irdakit/core'
import { dongleProfile } from '../profiles.js'
import type { DongleProfile } from '../profile-types.js'
import { EmulatedDongle } from './emulated-dongle.js'

/** How to plug in an emulated dongle. */
export interface AttachOptions {
  /** Profile name (see `dongleProfiles()`) or a profile. */
  dongle: string | DongleProfile
  /** The dongle's station in an IR room (`room.port(name)`); without one the IR side is dark. */
  medium?: Port
  /** The clock bytes are timed on; default: the medium's clock, else a RealClock. */
  clock?: Clock
  /** Override the profile's data-mode echo. */
  echo?: boolean
}

/** An error a binding raises; `canceled` marks reads/writes ended by close (not a disconnect). */
class BindingError extends Error {
  constructor (message: string, readonly canceled = false) { super(message) }
}

const defaults = { dataBits: 8, lock: true, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, xany: false, hupcl: true } as const

/** 8N1: ten bit times per byte. */
const wireMs = (bytes: number, baud: number): number => bytes * 10 * 1000 / baud

/** The open port object a {@link DongleEmulatorBinding} hands to `SerialPortStream`. */
export class EmulatedDonglePort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>
  isOpen = true
  private rx: Uint8Array[] = []
  private waiting: { resolve: () => void, reject: (e: Error) => void } | undefined
  /** When the last byte written so far has left the host UART. */
  private txFreeAt = 0

  constructor (readonly dongle: EmulatedDongle, options: OpenOptions) {
    this.openOptions = { ...defaults, ...options } as Required<OpenOptions>
    dongle.setHostBaud(options.baudRate)
    dongle.connect(bytes => this.receive(bytes))
    // Opening a tty raises DTR and RTS.
    dongle.setLines(true, true)
  }

  private check (): void {
    if (!this.dongle.present) throw new BindingError(`${this.dongle.path}: device vanished`)
    if (!this.isOpen) throw new BindingError('Port is not open', true)
  }

  private receive (bytes: Uint8Array): void {
    this.rx.push(bytes)
    const w = this.waiting
    this.waiting = undefined
    w?.resolve()
  }

  /** Called by the binding when the dongle is unplugged: a pending read fails as a disconnect. */
  vanish (): void {
    const w = this.waiting
    this.waiting = undefined
    w?.reject(new BindingError(`${this.dongle.path}: device vanished`))
  }

  async read (buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer, bytesRead: number }> {
    this.check()
    while (this.rx.length === 0) {
      await new Promise<void>((resolve, reject) => { this.waiting = { resolve, reject } })
      this.check()
    }
    const head = this.rx[0]
    const n = Math.min(length, head.length)
    buffer.set(head.subarray(0, n), offset)
    if (n === head.length) this.rx.shift(); else this.rx[0] = head.subarray(n)
    return { buffer, bytesRead: n }
  }

  async write (buffer: Buffer): Promise<void> {
    this.check()
    const clock = this.dongle.clock
    const bytes = Uint8Array.from(buffer)
    const baud = this.dongle.hostBaud
    const start = Math.max(clock.now(), this.txFreeAt)
    this.txFreeAt = start + wireMs(bytes.length, baud)
    // The dongle modulates bytes as they arrive, so the IR transmission starts with the first one.
    clock.setTimer(start, () => { if (this.isOpen) this.dongle.fromHost(bytes, baud) })
  }

  async update (options: UpdateOptions): Promise<void> {
    this.check()
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) throw new TypeError(`"baudRate" must be a positive integer: ${options.baudRate}`)
    this.openOptions.baudRate = options.baudRate
    this.dongle.setHostBaud(options.baudRate)
  }

  async set (options: SetOptions): Promise<void> {
    this.check()
    this.dongle.setLines(options.dtr ?? true, options.rts ?? true)
  }

  async get (): Promise<PortStatus> {
    this.check()
    return { cts: true, dsr: this.dongle.model.mode !== 'off', dcd: false }
  }

  async getBaudRate (): Promise<{ baudRate: number }> {
    this.check()
    return { baudRate: this.dongle.hostBaud }
  }

  async flush (): Promise<void> {
    this.check()
    this.rx = []
  }

  async drain (): Promise<void> {
    this.check()
    const clock = this.dongle.clock
    if (this.txFreeAt > clock.now()) await new Promise<void>(resolve => { clock.setTimer(this.txFreeAt, resolve) })
    this.check()
  }

  async close (): Promise<void> {
    if (!this.isOpen) throw new BindingError('Port is not open')
    this.isOpen = false
    const w = this.waiting
    this.waiting = undefined
    w?.reject(new BindingError('port is closed', true))
    if (this.dongle.present) {
      this.dongle.connect(undefined)
      // hupcl: closing the tty drops DTR and RTS.
      this.dongle.setLines(false, false)
    }
  }
}

/** A serialport binding whose "devices" are emulated dongles. */
export class DongleEmulatorBinding implements BindingInterface<EmulatedDonglePort> {
  private readonly devices = new Map<string, EmulatedDongle>()
  private readonly open_ = new Map<string, EmulatedDonglePort>()

  /** Plugs an emulated dongle in at `path` (replacing an unplugged one). Returns it for inspection. */
  attach (path: string, opts: AttachOptions): EmulatedDongle {
    if (this.devices.get(path)?.present === true) throw new Error(`${path}: a dongle is already attached`)
    const profile = typeof opts.dongle === 'string' ? dongleProfile(opts.dongle) : opts.dongle
    const clock = opts.clock ?? opts.medium?.clock ?? new RealClock()
    const dongle = new EmulatedDongle(path, profile, clock, opts.medium, opts.echo)
    this.devices.set(path, dongle)
    this.open_.delete(path)
    return dongle
  }

  /** Unplugs the dongle at `path`: an open port sees its device vanish. */
  detach (path: string): void {
    const dongle = this.devices.get(path)
    if (dongle === undefined) return
    dongle.unplug()
    this.open_.get(path)?.vanish()
    this.open_.delete(path)
  }

  /** The dongle at `path`, if attached. */
  device (path: string): EmulatedDongle | undefined { return this.devices.get(path) }

  /** The clock the dongle at `path` runs on (`openSerialPort` schedules on it). */
  clockOf (path: string): Clock | undefined { return this.devices.get(path)?.clock }

  async list (): Promise<PortInfo[]> {
    return [...this.devices.values()].filter(d => d.present).map(d => ({
      path: d.path, manufacturer: `irdakit emulated ${d.profile.model}`, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined
    }))
  }

  async open (options: OpenOptions): Promise<EmulatedDonglePort> {
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('"path" is not a valid port')
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) throw new TypeError('"baudRate" is not a valid baudRate')
    const dongle = this.devices.get(options.path)
    if (dongle === undefined || !dongle.present) throw new Error(`${options.path}: no such device`)
    const current = this.open_.get(options.path)
    if (current?.isOpen === true) throw new Error(`${options.path}: port is locked (already open)`)
    const port = new EmulatedDonglePort(dongle, options)
    this.open_.set(options.path, port)
    return port
  }
}
