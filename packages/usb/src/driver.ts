/*!
 * What every USB IrDA driver provides to `UsbIrdaPort`. A driver knows one chip's transfers
 * (descriptors, registers, headers, framing); the port around it owns ordering, turnaround,
 * media busy, counters and the port's life. Drivers never keep time themselves: waits the
 * chip needs go through the clock they are given.
 */
import type { Clock, PortQos, RxErrorReason } from '@irdakit/core'
import type { UsbDevice } from './usb-device.js'

/** What one receive poll produced. */
export type RxItem =
  | { type: 'frame', frame: Uint8Array }
  | { type: 'error', reason: RxErrorReason }
  /** The chip reported the medium busy (or idle) without a frame. */
  | { type: 'media', busy: boolean }

export interface SendParams {
  /** Additional BOFs asked for by IrLAP (SIR only). */
  xbofs: number
  /** The peer's minimum turnaround, ms, for chips that time it themselves. */
  minTurnaroundMs: number
}

/** What the chip lets IrLAP negotiate; the Port carries it as `port.qos` and the stack honours it. */
export type DongleQos = PortQos

export interface UsbIrdaDriver {
  /** Limits of the chip for the QoS IrLAP offers (empty: none beyond the speeds). */
  readonly qos: DongleQos
  /** Driver name: `irda-usb`, `stir421x`, `stir4200`, `mcs7780`, `ks959`, `kingsun`, `ksdazzle`. */
  readonly kind: DriverKind
  /** Speeds the chip runs at, ascending (known once `open` resolved). */
  readonly speeds: readonly number[]
  /** True when the chip waits the peer's turnaround itself (told through `SendParams`). */
  readonly timesTurnaround: boolean
  /** Claims the interface and brings the chip up at 9600 bit/s. */
  open(): Promise<void>
  /** Sends one frame (A + C + I) at the current speed; resolves when the device took it. */
  sendFrame(frame: Uint8Array, params: SendParams): Promise<void>
  /** Changes speed; called only once every earlier frame was taken. */
  setSpeed(bps: number): Promise<void>
  /** One receive poll: resolves when the device delivered something. */
  receive(): Promise<RxItem[]>
  /** Quiets the chip and releases the device (pending transfers end). */
  close(): Promise<void>
}

export type DriverKind = 'irda-usb' | 'stir421x' | 'stir4200' | 'mcs7780' | 'ks959' | 'kingsun' | 'ksdazzle'

/** What a driver is built from. */
export interface DriverContext {
  device: UsbDevice
  clock: Clock
  /** STIr421x only: the firmware patch file, or a directory holding `4210XXXX.sb`. */
  firmware?: string | undefined
}

/** Waits `ms` on `clock` (no wall time: virtual rooms jump). */
export async function sleep (clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return
  await new Promise<void>(resolve => { clock.setTimer(clock.now() + ms, resolve) })
}
