/*!
 * The Port contract: what IrLAP talks to. A Port carries whole IrLAP frames (address, control
 * and information; no FCS, no BOF/EOF) over some medium: an emulated room, a serial dongle, a
 * room served over a local socket. Framing (SIR wrap/unwrap with FCS, MIR/FIR checks) happens
 * inside the Port, so faults can corrupt real encoded bytes.
 *
 * Everything a Port reports is an event with the time (on `port.clock`) it happened. Ports never
 * throw at their listener: bad input becomes an `rx-error` event and a count in `stats`.
 */
import type { Clock } from './clock.js'
import { LocalProtocolError } from './errors.js'

/** Why a received frame was dropped below IrLAP. Mirrors `SirEvent` reasons, plus garbage (wrong speed, noise). */
export type RxErrorReason = 'fcs' | 'abort' | 'overrun' | 'runt' | 'garbage'

export type PortEvent =
  /** A frame with a good FCS: A + C + I, FCS removed. */
  | { type: 'frame', frame: Uint8Array, at: number }
  /** A frame that was seen but failed its checks. IrLAP counts these (they still prove the medium is busy). */
  | { type: 'rx-error', reason: RxErrorReason, at: number }
  /** The medium became busy (someone else is transmitting) or idle again. */
  | { type: 'media', busy: boolean, at: number }
  /** Every frame queued so far has left the transmitter. */
  | { type: 'tx-done', at: number }
  /** The port closed (by request, or because the device vanished: then `error` says why). */
  | { type: 'closed', error?: Error, at: number }

export interface SendOptions {
  /** Extra XBOFs (0xFF) before the BOF, as negotiated (IrLAP "additional BOFs"). SIR only. Default 10 is not assumed: 0. */
  xbofs?: number
}

export interface PortStats {
  framesSent: number
  bytesSent: number
  framesReceived: number
  bytesReceived: number
  rxErrors: Record<RxErrorReason, number>
}

export function emptyPortStats (): PortStats {
  return { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, rxErrors: { fcs: 0, abort: 0, overrun: 0, runt: 0, garbage: 0 } }
}

export type PortListener = (ev: PortEvent) => void

/** What a device lets IrLAP offer beyond its speeds (a USB bridge's class descriptor, a quirk). */
export interface PortQos {
  /** Largest information field it takes, bytes. */
  dataSize?: number
  /** Most frames per window it takes (1 for devices that cannot queue). */
  windowSize?: number
  /** Its own minimum turnaround need, ms. */
  minTurnaroundMs?: number
}

export interface Port {
  /** A name for logs and captures (station name, device path). */
  readonly name: string
  /** The clock this port's medium runs on; the stack schedules on it. */
  readonly clock: Clock
  /** Current line speed in bit/s (9600 after open and after every reset). */
  readonly speed: number
  /** Speeds this port (and its dongle) can run at, ascending. */
  readonly supportedSpeeds: readonly number[]
  /** True while the medium is busy with someone else's transmission. */
  readonly mediaBusy: boolean
  /** The device's limits for IrLAP's QoS, if it has any; the stack offers no more than these. */
  readonly qos?: PortQos
  /** Counters since open. */
  readonly stats: PortStats
  /** Subscribes to events; returns an unsubscribe function. */
  listen(listener: PortListener): () => void
  /**
   * Queues a frame (A + C + I) for transmission. Frames leave in order. The first frame after a
   * reception waits for the minimum turnaround time set with {@link Port.setMinTurnaround}.
   */
  send(frame: Uint8Array, opts?: SendOptions): void
  /**
   * Changes speed after every frame queued before this call has left. Resolves when the new
   * speed is in effect (a dongle may need tens of milliseconds).
   */
  setSpeed(bps: number): Promise<void>
  /** Minimum time (ms) to leave between the end of a received frame and our next transmission (the peer's turnaround need). */
  setMinTurnaround(ms: number): void
  /** Closes the port; a `closed` event follows. */
  close(): Promise<void>
}

/**
 * The argument rules of `Port.send`: a frame is at least address and control. Every Port
 * (emulated, serial, USB) applies them alike; a caller bug, so it throws LocalProtocolError.
 */
export function checkFrameToSend (frame: Uint8Array): void {
  if (frame.length < 2) throw new LocalProtocolError(`a frame needs at least address and control (2 bytes), got ${frame.length}`)
}

/** The argument rule of `Port.setMinTurnaround`: a finite number of milliseconds, >= 0. */
export function checkMinTurnaround (ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new LocalProtocolError(`minimum turnaround must be a finite number >= 0 ms, got ${ms}`)
}
