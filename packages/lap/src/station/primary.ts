/*!
 * The primary in NRM (IrLAP 1.1 section 6.8, XMIT_P and RECV_P): it owns the line, sends its
 * turn with P on the last frame, waits for the secondary's turn (F timer), and polls again.
 * With nothing to send it holds the line and polls when the P timer expires, starting fast
 * after traffic and backing off to its maximum turnaround time when idle.
 */
import type { LapFrame } from '../frame.js'
import type { StationContext } from './context.js'
import { buildTurn, endOfPeerTurn, hasWork, noteAlive, noteSilence, receiveNrm } from './transfer.js'
import { disconnected, primaryNeedsReset, retryLimits, sendDisc, sendResetSnrm } from './connection.js'

type NrmFrame = LapFrame & { kind: 'I' | 'RR' | 'RNR' | 'REJ' | 'SREJ' }
type Frame = LapFrame

const link = (c: StationContext): NonNullable<StationContext['link']> => c.link as NonNullable<StationContext['link']>

/** F: the secondary may hold the line for its maximum turnaround time after our poll has left. */
const fMs = (c: StationContext): number => link(c).peerMaxTurnaroundMs

/** Our turn (XMIT_P): whatever is pending goes out now, the last frame with P. */
export function primaryTurn (c: StationContext, now: number): void {
  c.timers.stop('P')
  if (c.disconnectPending) { sendDisc(c, now); return }
  if (c.resetPending) { sendResetSnrm(c, now); return }
  retryLimits(c, fMs(c))
  const test = c.testPending
  if (test !== undefined && !test.sent) {
    test.sent = true
    c.send(now, { kind: 'TEST', caddr: c.connAddr, command: true, pf: true, info: { data: test.data } })
  } else {
    const before = c.stats.iFramesOut
    buildTurn(c, now, true)
    if (c.stats.iFramesOut > before) c.idlePollMs = c.timing.fastPollMs
  }
  c.enter('RECV_P')
  c.armAfterTx(now, 'F', fMs(c))
}

/**
 * The secondary's turn is over: our turn comes at once if there is work (the P timer, due now,
 * so the layers above first see the frames that turn brought and their reply goes in it, not
 * after another RR/RR round), else we hold the line (P timer).
 */
function turnOver (c: StationContext, now: number, checkpoint: boolean): void {
  c.timers.stop('F')
  const gotI = endOfPeerTurn(c, checkpoint)
  c.enter('XMIT_P')
  if (gotI) c.idlePollMs = c.timing.fastPollMs
  if (gotI || hasWork(c)) { c.timers.set('P', now); return }
  c.timers.set('P', now + c.idlePollMs)
  c.idlePollMs = Math.min(2 * c.idlePollMs, link(c).maxTurnaroundMs)
}

/** I, RR, RNR, REJ, SREJ from the secondary (RECV_P). */
export function onPrimaryNrm (c: StationContext, now: number, f: NrmFrame): void {
  if (receiveNrm(c, f) !== 'ok') { primaryNeedsReset(c, now); return }
  noteAlive(c)
  if (!f.pf) { c.timers.set('F', now + fMs(c)); return } // the secondary is still talking
  turnOver(c, now, true)
}

/** UI from the secondary in NRM. */
export function onPrimaryUi (c: StationContext, now: number, f: LapFrame & { kind: 'UI' }): void {
  c.emit({ type: 'unitdata-indication', data: f.info, broadcast: f.caddr !== c.connAddr })
  noteAlive(c)
  c.turn.heard = true
  if (f.pf) turnOver(c, now, false)
  else c.timers.set('F', now + fMs(c))
}

/** TEST answer to our TEST command (RECV_P). */
export function onPrimaryTest (c: StationContext, now: number, f: LapFrame & { kind: 'TEST' }): void {
  const t = c.testPending
  if (t === undefined || !t.sent) { c.stats.ignored++; return }
  c.testPending = undefined
  noteAlive(c)
  c.emit({ type: 'test-confirm', ok: true, data: f.info.data })
  turnOver(c, now, false)
}

/** RD: the secondary asks to disconnect; we send DISC (IrLAP 1.1 section 6.10.2). */
export function onPrimaryRd (c: StationContext, now: number, _f: Frame): void {
  noteAlive(c)
  sendDisc(c, now, 'remote-request')
}

/** DM in NRM: the secondary has no connection any more. */
export function onPrimaryDm (c: StationContext, _now: number, _f: Frame): void {
  disconnected(c, 'remote-dm')
}

export function onPrimaryFrmr (c: StationContext, now: number, _f: Frame): void {
  primaryNeedsReset(c, now)
}

/**
 * F timer: no frame with F came. Count the silence (N1 warns, N2 disconnects) and poll again
 * with RR/RNR. If the secondary did talk but never set F (a known bug of some stacks), its turn
 * is taken as over instead.
 */
export function onPrimaryF (c: StationContext, now: number): void {
  if (c.testPending?.sent === true) {
    c.emit({ type: 'test-confirm', ok: false, data: c.testPending.data })
    c.testPending = undefined
  }
  if (c.turn.heard) { turnOver(c, now, true); return }
  if (noteSilence(c) === 'lost') { disconnected(c, 'link-lost'); return }
  // Someone is still on the air (a late answer, noise): polling now would collide. The silence
  // was counted; poll at the next expiry.
  if (c.mediaBusy) { c.timers.set('F', now + fMs(c)); return }
  c.send(now, { kind: c.localBusy ? 'RNR' : 'RR', caddr: c.connAddr, command: true, pf: true, nr: c.vr })
  c.armAfterTx(now, 'F', fMs(c))
}

/** P timer: time to poll (XMIT_P with nothing else to send). */
export function onPrimaryP (c: StationContext, now: number): void { primaryTurn(c, now) }

/**
 * Something new to send while we hold the line: our turn starts at the next `poll(now)` (the
 * P timer is set to now), so requests made together go out together, the window full.
 */
export function primaryKick (c: StationContext, now: number): void {
  if (c.state === 'XMIT_P' && hasWork(c)) c.timers.set('P', now)
}
