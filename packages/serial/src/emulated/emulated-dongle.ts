/*!
 * One emulated dongle "plugged in" at a path: its state machine, its clock, and its station in
 * an IR room. Host bytes in data mode are turned into frames and sent into the room; frames
 * from the room are SIR-wrapped and handed to the host as its UART would decode them.
 */
import type { Clock, Port } from '@irdakit/core'
import { sirWrap, SirUnwrapper } from '@irdakit/phy'
import type { DongleProfile } from '../profile-types.js'
import { DongleModel } from './dongle-model.js'

/** Counters of the IR side, next to the model's own. */
export interface EmulatedDongleStats {
  /** Frames the dongle put on the medium. */
  framesToIr: number
  /** Frames (and damaged receptions) passed to the host. */
  framesToHost: number
  /** Host bytes that did not make a frame (garbled by a baud mismatch, cut off). */
  badFramesFromHost: number
  /** Clock time the last frame went out on IR, or undefined before the first. */
  lastFrameToIrAt: number | undefined
}

/** Where the dongle delivers bytes for the host (the open binding port). */
export type HostSink = (bytes: Uint8Array) => void

/** A dongle at one path: model + clock + optional room station. */
export class EmulatedDongle {
  readonly model: DongleModel
  readonly stats: EmulatedDongleStats = { framesToIr: 0, framesToHost: 0, badFramesFromHost: 0, lastFrameToIrAt: undefined }
  /** The host UART's baud rate, as last set through the binding. */
  hostBaud = 9600
  /** False once unplugged: the binding then fails every operation like a vanished tty. */
  present = true
  private sink: HostSink | undefined
  private readonly unwrapper = new SirUnwrapper()
  private readonly unlisten: (() => void) | undefined
  private mediumSpeed: number | undefined

  constructor (readonly path: string, readonly profile: DongleProfile, readonly clock: Clock, readonly medium?: Port, echo?: boolean) {
    this.model = new DongleModel(profile, echo)
    this.unlisten = medium?.listen(ev => {
      if (ev.type === 'frame') this.receiveIr(sirWrap(ev.frame))
      // A damaged reception reaches the host as a cut-off frame, so it counts it as an error.
      else if (ev.type === 'rx-error') this.receiveIr(Uint8Array.of(0xC0, 0x5A, 0xC1))
    })
  }

  /** The open port registers where host-bound bytes go. */
  connect (sink: HostSink | undefined): void { this.sink = sink }

  /** The host sets DTR/RTS. */
  setLines (dtr: boolean, rts: boolean): void {
    this.model.setLines(dtr, rts)
    this.syncMediumSpeed()
  }

  /** The host changed its UART baud rate. */
  setHostBaud (bps: number): void {
    this.hostBaud = bps
    this.syncMediumSpeed()
  }

  /** Bytes from the host UART, arriving now (they were written at `baud`). */
  fromHost (bytes: Uint8Array, baud: number): void {
    const { toIr, toHost } = this.model.fromHost(bytes, baud)
    this.syncMediumSpeed()
    if (toHost.length > 0) this.sink?.(toHost)
    if (toIr.length === 0) return
    for (const ev of this.unwrapper.push(toIr)) {
      if (ev.type === 'frame') {
        // Without a medium the dongle still transmits, into the dark.
        this.stats.framesToIr++
        this.stats.lastFrameToIrAt = this.clock.now()
        try {
          this.medium?.send(ev.frame)
        } catch {
          // The room station was closed under the dongle: the light goes nowhere.
        }
      } else if (ev.type === 'error') {
        this.stats.badFramesFromHost++
      }
    }
  }

  /** Unplugs the dongle: no more bytes either way, and its station leaves the room (the LED goes dark). */
  unplug (): void {
    this.present = false
    this.sink = undefined
    this.unlisten?.()
    this.medium?.close().catch(() => {})
  }

  /** Bytes arriving on the IR side at the dongle's IR speed (from the room, or injected by a test). */
  receiveIr (wire: Uint8Array): void {
    if (!this.present) return
    const bytes = this.model.toHost(wire, this.hostBaud)
    if (bytes.length === 0) return
    this.stats.framesToHost++
    this.sink?.(bytes)
  }

  /** The room station runs at the dongle's IR speed, so mismatches happen where they would. */
  private syncMediumSpeed (): void {
    const ir = this.model.irSpeed(this.hostBaud)
    if (this.medium === undefined || ir === undefined || ir === this.mediumSpeed) return
    this.mediumSpeed = ir
    this.unwrapper.reset()
    if (this.medium.supportedSpeeds.includes(ir)) this.medium.setSpeed(ir).catch(() => {})
  }
}
