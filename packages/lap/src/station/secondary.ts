/*!
 * The secondary in NRM (IrLAP 1.1 section 6.8, RECV_S and XMIT_S): it speaks only when polled,
 * answers with its turn (F on the last frame), and watches the line with the WD timer. The
 * answer is built at `poll(now)` (the Turn timer, due at once), not inside `handleFrame`: the
 * layers above first see the frames the poll brought, so a reply they queue (an IrLMP connect
 * confirm, an IAS answer) goes in this very turn instead of after another RR/RR round.
 * Invalid commands get FRMR (IrLAP 1.1 section 5.7.7), repeated until reset or disconnect.
 */
import type { FrmrInfo, LapFrame } from '../frame.js'
import { iControl, sControl } from '../wire/index.js'
import type { StationContext } from './context.js'
import { buildTurn, endOfPeerTurn, noteAlive, noteSilence, receiveNrm } from './transfer.js'
import { disconnected, retryLimits } from './connection.js'

type NrmFrame = LapFrame & { kind: 'I' | 'RR' | 'RNR' | 'REJ' | 'SREJ' }

const link = (c: StationContext): NonNullable<StationContext['link']> => c.link as NonNullable<StationContext['link']>

/**
 * WD: the primary holds the line for at most its maximum turnaround time and retries its poll
 * after its F timer; twice that with no frame means a silent link.
 */
export const wdMs = (c: StationContext): number => 2 * link(c).peerMaxTurnaroundMs

/** After our answer is queued: XMIT_S until it has left, then RECV_S with the WD timer running. */
export function enterReceiveS (c: StationContext, now: number): void {
  retryLimits(c, wdMs(c))
  c.enter('XMIT_S')
  c.armAfterTx(now, 'WD', wdMs(c))
}

/** Our turn: RD if the layer above asked to disconnect, else data/acks with F on the last frame. */
export function secondaryTurn (c: StationContext, now: number): void {
  if (c.disconnectPending) {
    c.disconnectPending = false
    c.send(now, { kind: 'RD', caddr: c.connAddr, command: false, pf: true })
    c.enter('SCLOSE')
    c.armAfterTx(now, 'WD', wdMs(c))
    return
  }
  buildTurn(c, now, false)
  enterReceiveS(c, now)
}

/** I, RR, RNR, REJ, SREJ commands. */
export function onSecondaryNrm (c: StationContext, now: number, f: NrmFrame): void {
  const v = receiveNrm(c, f)
  if (v !== 'ok') {
    secondaryReject(c, now, f.pf, controlOf(f), { z: v === 'invalid-nr', y: v === 'too-long' })
    return
  }
  noteAlive(c)
  c.timers.set('WD', now + wdMs(c))
  if (!f.pf) return
  endOfPeerTurn(c, true)
  c.timers.set('Turn', now)
}

/** Turn timer: the layers above have had their chance to queue a reply; answer the poll now. */
export function onSecondaryTurnDue (c: StationContext, now: number): void { secondaryTurn(c, now) }

export function onSecondaryUi (c: StationContext, now: number, f: LapFrame & { kind: 'UI' }): void {
  noteAlive(c)
  c.emit({ type: 'unitdata-indication', data: f.info, broadcast: f.caddr !== c.connAddr })
  c.timers.set('WD', now + wdMs(c))
  if (f.pf) { endOfPeerTurn(c, false); c.timers.set('Turn', now) }
}

/** TEST command with P in NRM: echo it as our whole turn (IrLAP 1.1 section 6.12). */
export function onSecondaryTest (c: StationContext, now: number, f: LapFrame & { kind: 'TEST' }): void {
  noteAlive(c)
  c.timers.set('WD', now + wdMs(c))
  if (!f.pf) return
  c.timers.stop('Turn') // the echo is our whole turn
  c.send(now, { kind: 'TEST', caddr: c.connAddr, command: false, pf: true, info: { data: f.info.data } })
  enterReceiveS(c, now)
}

/** WD timer: count the silence (N1 warns, N2 disconnects). */
export function onSecondaryWd (c: StationContext, now: number): void {
  if (noteSilence(c) === 'lost') { disconnected(c, 'link-lost'); return }
  c.timers.set('WD', now + wdMs(c))
}

/** SCLOSE: we sent RD; a further poll gets RD again, silence ends it. */
export function onScloseCommand (c: StationContext, now: number, f: LapFrame): void {
  if (!f.pf) return
  c.send(now, { kind: 'RD', caddr: c.connAddr, command: false, pf: true })
  c.armAfterTx(now, 'WD', wdMs(c))
}

export function onScloseWd (c: StationContext, _now: number): void { disconnected(c, 'user-request') }

/** RESET_CHECK: the layer above did not answer the reset in time. */
export function onResetCheckWd (c: StationContext, _now: number): void { disconnected(c, 'reset-failed') }

/** The secondary's answer to an invalid command: FRMR now (if polled) and in ERROR_S from then on. */
export function secondaryReject (c: StationContext, now: number, pf: boolean, control: number, why: Partial<Pick<FrmrInfo, 'w' | 'x' | 'y' | 'z'>>): void {
  c.stats.frmrSent++
  c.frmr = {
    kind: 'FRMR',
    caddr: c.connAddr,
    command: false,
    pf: true,
    info: { rejectedControl: control, vs: c.vs, vr: c.vr, rejectedCommand: true, w: why.w ?? false, x: why.x ?? false, y: why.y ?? false, z: why.z ?? false },
  }
  c.enter('ERROR_S')
  c.timers.stop('Turn') // from now on every poll gets the FRMR
  c.timers.set('WD', now + wdMs(c))
  if (pf) {
    c.send(now, c.frmr)
    c.armAfterTx(now, 'WD', wdMs(c))
  }
}

/** ERROR_S: every poll gets the FRMR again. */
export function onErrorCommand (c: StationContext, now: number, f: LapFrame): void {
  if (!f.pf || c.frmr === undefined) return
  c.send(now, c.frmr)
  c.armAfterTx(now, 'WD', wdMs(c))
}

function controlOf (f: NrmFrame): number {
  return f.kind === 'I' ? iControl(f.ns, f.nr, f.pf) : sControl(f.kind, f.nr, f.pf)
}
