/*! The minimal host-side interface a dongle procedure needs; the serial port implements it. */
import type { Clock } from '@irdakit/core'

/** What a dongle driver may do to the serial line. */
export interface DongleIo {
  /** The port's clock: waits run on it (virtual in emulated runs). */
  readonly clock: Clock
  /** Sets DTR and RTS together. */
  setLines(dtr: boolean, rts: boolean): Promise<void>
  /** Writes raw bytes at the current baud rate and resolves once they have left the UART. */
  write(bytes: Uint8Array): Promise<void>
  /** Reads exactly `count` bytes, or resolves `undefined` after `timeoutMs`. */
  read(count: number, timeoutMs: number): Promise<Uint8Array | undefined>
  /** Changes the host UART's baud rate. */
  setBaud(bps: number): Promise<void>
}

/** Waits `ms` on `clock`. */
export async function sleep (clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return
  await new Promise<void>(resolve => { clock.setTimer(clock.now() + ms, resolve) })
}
