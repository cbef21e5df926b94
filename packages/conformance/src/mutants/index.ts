/*!
 * Mutants: fault switches for the loopback device, so every case can be shown to fail. Each one
 * makes our stack behave like a stack with one particular bug (answering discovery in the wrong
 * slot, ignoring the peer's window, never sending FRMR, returning the wrong IAS code, exceeding
 * TinyTP credit, a listen backlog not capped, ...). `test/conformance/mutants.test.ts` checks
 * that each one fails the cases it should and no others, and that together they fail every case
 * loopback runs.
 *
 * Where they sit: most rewrite, drop, repeat or delay frames between the stack and the room
 * (`mutatePort`); a few set our stack's own IrLAP timing (slot timer, media sensing, SNRM
 * tries), through its public `timing` option; the IrSock ones wrap the socket API the SOCK
 * cases drive. They are reachable only through the loopback target (`--mutant <name>`); without
 * one, the loopback device is our plain stack and none of this code runs.
 */
import type { Port, PortEvent, PortListener, SendOptions } from '@irdakit/core'
import { emitFrame, parseFrame, type LapFrame } from '@irdakit/lap'
import type { Mutant, MutantIo, Planted } from './types.js'
import { LAP_MUTANTS } from './lap.js'
import { UPPER_MUTANTS } from './upper.js'
import { SOCK_MUTANTS } from './sock.js'

export type { Mutant, MutantIo, Planted } from './types.js'

export const MUTANTS: readonly Mutant[] = [...LAP_MUTANTS, ...UPPER_MUTANTS, ...SOCK_MUTANTS]

export function mutantByName (name: string): Mutant {
  const m = MUTANTS.find(x => x.name === name)
  if (m === undefined) throw new Error(`no mutant "${name}": ${MUTANTS.map(x => x.name).join(', ')}`)
  return m
}

/** Plants `m` on the stack's port: the port the stack must use, and the mutant's other hooks. */
export function plantMutant (port: Port, m: Mutant): { port: Port, planted: Planted } {
  const listeners = new Set<PortListener>()
  const io: MutantIo = {
    now: () => port.clock.now(),
    reply: f => { port.send(emitFrame(f)) },
  }
  const planted = m.plant(io)
  const txDone = (): void => {
    // A dropped frame still "leaves": the stack waits for its transmitter to finish.
    const at = port.clock.now()
    port.clock.setTimer(at, () => { for (const l of listeners) l({ type: 'tx-done', at }) })
  }
  // Delayed frames leave in order: a frame never overtakes one held back before it.
  let heldUntil = -Infinity
  const transmit = (bytes: Uint8Array, f: LapFrame | undefined, opts?: SendOptions): void => {
    const now = port.clock.now()
    const at = Math.max(now + (f !== undefined ? planted.delay?.(f) ?? 0 : 0), heldUntil)
    if (at <= now) { port.send(bytes, opts); return }
    heldUntil = at
    port.clock.setTimer(at, () => { port.send(bytes, opts) })
  }
  const mutated: Port = {
    get name () { return port.name },
    get clock () { return port.clock },
    get speed () { return port.speed },
    get supportedSpeeds () { return port.supportedSpeeds },
    get mediaBusy () { return port.mediaBusy },
    get stats () { return port.stats },
    ...(port.qos !== undefined ? { qos: port.qos } : {}),
    listen: (listener: PortListener) => {
      listeners.add(listener)
      const off = port.listen((ev: PortEvent) => {
        if (ev.type !== 'frame' || planted.in === undefined) { listener(ev); return }
        const d = parseFrame(ev.frame)
        const r = planted.in(d.ok ? d.value : undefined, ev.frame)
        if (r === undefined) return
        listener({ ...ev, frame: r instanceof Uint8Array ? r : d.ok && r === d.value ? ev.frame : emitFrame(r) })
      })
      return () => { listeners.delete(listener); off() }
    },
    send: (frame: Uint8Array, opts?: SendOptions) => {
      const d = parseFrame(frame)
      if (!d.ok || (planted.out === undefined && planted.delay === undefined)) { transmit(frame, d.ok ? d.value : undefined, opts); return }
      const r = planted.out !== undefined ? planted.out(d.value) : d.value
      const frames = r === undefined ? [] : Array.isArray(r) ? r : [r]
      if (frames.length === 0) { txDone(); return }
      for (const f of frames) transmit(f === d.value ? frame : emitFrame(f), f, opts)
    },
    setSpeed: async (bps: number) => { await port.setSpeed(bps) },
    setMinTurnaround: (ms: number) => { port.setMinTurnaround(planted.minTurnaround?.(ms) ?? ms) },
    close: async () => { await port.close() },
  }
  return { port: mutated, planted }
}

/** The stack's port with the mutant in between (its frame hooks only). */
export function mutatePort (port: Port, m: Mutant): Port {
  return plantMutant(port, m).port
}
