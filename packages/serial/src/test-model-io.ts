/*! A DongleIo wired straight to a DongleModel: tests a profile's host side against its dongle side. */
import { VirtualClock } from '@irdakit/core'
import type { DongleIo } from './dongle-io.js'
import type { DongleModel } from './emulated/dongle-model.js'

/** The host end of a wire whose other end is `model`; waits run on a VirtualClock. */
export class ModelIo implements DongleIo {
  readonly clock = new VirtualClock()
  private replies: number[] = []
  /** Every line state the host set, in order. */
  readonly lineLog: string[] = []
  /** Every byte the host wrote. */
  readonly written: number[] = []

  constructor (readonly model: DongleModel, public baud: number) {
    model.setLines(true, true)
  }

  async setLines (dtr: boolean, rts: boolean): Promise<void> {
    this.lineLog.push(`dtr${dtr ? 1 : 0}rts${rts ? 1 : 0}`)
    this.model.setLines(dtr, rts)
  }

  async write (bytes: Uint8Array): Promise<void> {
    this.written.push(...bytes)
    this.replies.push(...this.model.fromHost(bytes, this.baud).toHost)
  }

  async read (count: number): Promise<Uint8Array | undefined> {
    if (this.replies.length < count) return undefined
    return Uint8Array.from(this.replies.splice(0, count))
  }

  async setBaud (bps: number): Promise<void> { this.baud = bps }
}
