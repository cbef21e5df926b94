/*!
 * Mutants: fault switches for the loopback device, so every case can be shown to fail. Each
 * mutant sits between our stack and the room, rewriting or dropping the frames the stack sends
 * or receives, to make it behave like a stack with one particular bug (answering discovery in
 * the wrong slot, ignoring the peer's window, never sending FRMR, returning the wrong IAS code,
 * exceeding TinyTP credit, ...). `test/conformance/mutants.test.ts` checks that each one fails
 * the cases it should and no others.
 */
import type { Port, PortEvent, PortListener, SendOptions } from '@irdakit/core'
import { emitFrame, parseFrame, type LapFrame } from '@irdakit/lap'

export interface Mutant {
  name: string
  /** The bug it plants, in words. */
  bug: string
  /** Rewrites (or drops, with undefined) a frame the stack is about to send. */
  out?: (f: LapFrame) => LapFrame | undefined
  /** Rewrites (or drops) a frame before the stack sees it. */
  in?: (f: LapFrame) => LapFrame | undefined
}

/** An I frame's LM-MUX payload, or undefined. */
const lmOf = (f: LapFrame): Uint8Array | undefined => f.kind === 'I' ? f.info : undefined

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'xid-slot-zero',
    bug: 'says slot 0 in every discovery reply, whatever slot it answers in',
    out: f => f.kind === 'XID' && !f.command ? { ...f, info: { ...f.info, slot: 0 } } : f,
  },
  {
    name: 'ignore-window',
    bug: 'ignores the window the peer stated (takes 7 frames whatever the SNRM said)',
    in: f => f.kind === 'SNRM' && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, windowSize: 0x7F } } } : f,
  },
  {
    name: 'ignore-data-size',
    bug: 'ignores the data size the peer stated (takes 2048 bytes whatever the SNRM said)',
    in: f => f.kind === 'SNRM' && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, dataSize: 0x3F } } } : f,
  },
  {
    name: 'no-frmr',
    bug: 'never sends FRMR (accepts a bad N(R) or an undefined command in silence)',
    out: f => f.kind === 'FRMR' ? undefined : f,
  },
  {
    name: 'ignore-rej',
    bug: 'ignores REJ and SREJ commands (no retransmission, no answer to their poll)',
    in: f => (f.kind === 'REJ' || f.kind === 'SREJ') && f.command ? undefined : f,
  },
  {
    name: 'no-test',
    bug: 'does not answer TEST commands',
    out: f => f.kind === 'TEST' ? undefined : f,
  },
  {
    name: 'wrong-ias-code',
    bug: 'returns No Such Attribute where No Such Class is due and the other way round',
    out: f => {
      const lm = lmOf(f)
      if (lm === undefined || lm.length < 4 || (lm[0] & 0x80) !== 0 || (lm[1] & 0x7F) !== 0x00 || (lm[2] & 0x3F) !== 0x04 || (lm[2] & 0x80) === 0) return f
      const code = lm[3] === 1 ? 2 : lm[3] === 2 ? 1 : lm[3]
      const info = lm.slice()
      info[3] = code
      return { ...f, info } as LapFrame
    },
  },
  {
    name: 'exceed-credit',
    bug: 'takes more TinyTP credit than the peer granted (reads every granted credit as 20)',
    in: f => {
      const lm = lmOf(f)
      // A TinyTP connect PDU inside an LM connect (control bit, opcode 0x01, reserved byte, then the TTP header).
      if (lm === undefined || lm.length < 5 || (lm[0] & 0x80) === 0 || lm[2] !== 0x01 || (lm[0] & 0x7F) === 0) return f
      const info = lm.slice()
      info[4] = (info[4] & 0x80) | 20
      return { ...f, info } as LapFrame
    },
  },
]

export function mutantByName (name: string): Mutant {
  const m = MUTANTS.find(x => x.name === name)
  if (m === undefined) throw new Error(`no mutant "${name}": ${MUTANTS.map(x => x.name).join(', ')}`)
  return m
}

/** The stack's port with the mutant in between. */
export function mutatePort (port: Port, m: Mutant): Port {
  const rewrite = (bytes: Uint8Array, fn: ((f: LapFrame) => LapFrame | undefined) | undefined): Uint8Array | undefined => {
    if (fn === undefined) return bytes
    const d = parseFrame(bytes)
    if (!d.ok) return bytes
    const f = fn(d.value)
    return f === undefined ? undefined : f === d.value ? bytes : emitFrame(f)
  }
  const listeners = new Set<PortListener>()
  return {
    get name () { return port.name },
    get clock () { return port.clock },
    get speed () { return port.speed },
    get supportedSpeeds () { return port.supportedSpeeds },
    get mediaBusy () { return port.mediaBusy },
    get stats () { return port.stats },
    listen: (listener: PortListener) => {
      listeners.add(listener)
      const off = port.listen((ev: PortEvent) => {
        if (ev.type !== 'frame') { listener(ev); return }
        const b = rewrite(ev.frame, m.in)
        if (b !== undefined) listener({ ...ev, frame: b })
      })
      return () => { listeners.delete(listener); off() }
    },
    send: (frame: Uint8Array, opts?: SendOptions) => {
      const b = rewrite(frame, m.out)
      if (b !== undefined) { port.send(b, opts); return }
      // A dropped frame still "leaves": the stack waits for its transmitter to finish.
      const at = port.clock.now()
      port.clock.setTimer(at, () => { for (const l of listeners) l({ type: 'tx-done', at }) })
    },
    setSpeed: async (bps: number) => { await port.setSpeed(bps) },
    setMinTurnaround: (ms: number) => { port.setMinTurnaround(ms) },
    close: async () => { await port.close() },
  }
}
