/*!
 * What a mutant is: one realistic bug, planted in the loopback device only. Most are frame
 * rewriters at the stack's port; some set our stack's own timing (its public `timing` option);
 * the IrSock ones wrap the socket API the SOCK cases drive. Nothing here touches a target other
 * than loopback, and a stack without a mutant runs none of this code.
 */
import type { LapFrame, LapTiming } from '@irdakit/lap'
import type { IrSock } from '@irdakit/irsock'
import type { IrdaStack } from '@irdakit/stack'

/** What a planted mutant can do besides rewriting: read the clock, answer in the device's name. */
export interface MutantIo {
  now: () => number
  /** Sends a frame from the device's port (a mutant that answers where the stack would not). */
  reply: (f: LapFrame) => void
}

/** The hooks of one planted mutant (fresh state per target). */
export interface Planted {
  /** Rewrites a frame the stack is about to send: undefined drops it, an array sends several. */
  out?: (f: LapFrame) => LapFrame | LapFrame[] | undefined
  /** Rewrites a frame before the stack sees it (`f` undefined: it does not decode; `raw` is as it came); undefined drops it. */
  in?: (f: LapFrame | undefined, raw: Uint8Array) => LapFrame | Uint8Array | undefined
  /** Holds a frame back this many ms before it leaves (frames keep their order). */
  delay?: (f: LapFrame) => number
  /** The minimum turnaround the port gets when the stack sets `ms`. */
  minTurnaround?: (ms: number) => number
  /** IrLAP timing for our stack (the stack's own fault switches). */
  timing?: Partial<LapTiming>
  /** Wraps the IrSock API of the device's stack (SOCK cases only reach it). */
  irsock?: (S: IrSock, stack: IrdaStack) => IrSock
}

export interface Mutant {
  name: string
  /** The bug it plants, in words. */
  bug: string
  /** Plants a fresh copy (its own state) on one loopback device. */
  plant: (io: MutantIo) => Planted
}
