/*!
 * NRM data transfer shared by both roles (IrLAP 1.1 sections 5.6 and 6.8): sequence numbers,
 * acknowledgement, in-order delivery with REJ or SREJ recovery, checkpoint retransmission at
 * the end of the peer's turn, and building our own turn within window and line capacity.
 *
 * IrLAP is half duplex and the P/F bit passes the line, so everything the peer sent in one turn
 * has arrived (or is lost) when its frame with P/F arrives. That frame is the checkpoint: an
 * N(R) that does not cover all we sent means the rest were lost, and we send them again in our
 * next turn, unless the peer asked for exactly one frame with SREJ.
 */
import type { LapFrame } from '../frame.js'
import { mod8 } from '../wire/index.js'
import { bytesInTime, FRAME_OVERHEAD } from '../qos/index.js'
import type { StationContext } from './context.js'

type NrmFrame = LapFrame & { kind: 'I' | 'RR' | 'RNR' | 'REJ' | 'SREJ' }

/** What a received I or S frame means for the link. */
export type RxVerdict = 'ok' | 'invalid-nr' | 'too-long'

/** N(R) is valid when it lies between the oldest unacknowledged frame and the next one we will send. */
export function nrValid (c: StationContext, nr: number): boolean {
  return mod8(nr - c.va) <= mod8(c.vs - c.va)
}

/** Frames up to N(R) - 1 have arrived: forget them. */
export function acknowledge (c: StationContext, nr: number): void {
  while (c.va !== nr) {
    c.unacked.delete(c.va)
    c.va = mod8(c.va + 1)
  }
  if (c.retransmit.length > 0) c.retransmit = c.retransmit.filter(ns => c.unacked.has(ns))
}

/** Processes an I or S frame from the peer (either role). Does not answer: the caller decides whether the turn is ours. */
export function receiveNrm (c: StationContext, f: NrmFrame): RxVerdict {
  const link = c.link as NonNullable<StationContext['link']>
  if (!nrValid(c, f.nr)) return 'invalid-nr'
  if (f.kind === 'I' && f.info.length > link.rxDataSize) return 'too-long'
  acknowledge(c, f.nr)
  c.turn.heard = true
  switch (f.kind) {
    case 'I': c.turn.gotI = true; acceptI(c, f.ns, f.info); break
    case 'RR': c.remoteBusy = false; break
    case 'RNR': c.remoteBusy = true; break
    case 'REJ': c.remoteBusy = false; c.turn.rej = true; break
    case 'SREJ': c.remoteBusy = false; c.turn.srej = f.nr; break
  }
  return 'ok'
}

function deliver (c: StationContext, info: Uint8Array): void {
  c.emit({ type: 'data-indication', data: info })
}

/**
 * An I frame: deliver it if it is the next in sequence (and any kept frames that follow it).
 * While we are locally busy I frames are dropped unacknowledged (IrLAP 1.1 section 5.7.4: the
 * sender keeps them and sends them again once we send RR). A frame after a single gap is kept
 * and asks for the missing one with SREJ; anything else goes back with REJ.
 */
function acceptI (c: StationContext, ns: number, info: Uint8Array): void {
  if (c.localBusy) return
  const link = c.link as NonNullable<StationContext['link']>
  const ahead = mod8(ns - c.vr)
  if (ahead === 0) {
    deliver(c, info)
    c.vr = mod8(c.vr + 1)
    c.rejOutstanding = false
    while (c.srejBuffer.has(c.vr)) {
      deliver(c, c.srejBuffer.get(c.vr) as Uint8Array)
      c.srejBuffer.delete(c.vr)
      c.vr = mod8(c.vr + 1)
    }
    if (c.srejBuffer.size === 0 && c.srejOutstanding) {
      c.srejOutstanding = false
      if (c.pendingReject === 'SREJ') c.pendingReject = undefined
    }
    return
  }
  if (ahead >= link.rxWindowSize) return // behind us: a duplicate
  if (c.srej && !c.rejOutstanding) {
    if (!c.srejOutstanding && ahead === 1) {
      c.srejBuffer.set(ns, info)
      c.srejOutstanding = true
      c.pendingReject = 'SREJ'
      return
    }
    if (c.srejOutstanding && ahead === 1 + c.srejBuffer.size) {
      c.srejBuffer.set(ns, info)
      return
    }
  }
  // Go back N: drop this and everything after it until the missing frame comes again.
  c.srejBuffer.clear()
  c.srejOutstanding = false
  if (!c.rejOutstanding) {
    c.rejOutstanding = true
    c.pendingReject = 'REJ'
  }
}

/**
 * The peer's frame with P/F carried N(R): decide what to send again. Returns whether the turn
 * carried I frames (the primary then polls again at once: the secondary may have more).
 */
export function endOfPeerTurn (c: StationContext, checkpoint: boolean): boolean {
  const t = c.turn
  if (checkpoint) {
    judgeLastTurn(c)
    if (t.srej !== undefined && !t.rej) {
      c.retransmit = c.unacked.has(t.srej) ? [t.srej] : []
    } else {
      const all: number[] = []
      for (let ns = c.va; ns !== c.vs; ns = mod8(ns + 1)) all.push(ns)
      c.retransmit = all
    }
  }
  const gotI = t.gotI
  c.turn = { srej: undefined, rej: false, gotI: false, heard: false }
  return gotI
}

/**
 * The checkpoint acknowledged frames up to N(R) - 1: our last turn's frames before the first
 * missing one arrived, that one was lost, the rest are unknown (see frame-size.ts).
 */
function judgeLastTurn (c: StationContext): void {
  const missing = c.va !== c.vs ? c.va : undefined
  for (const f of c.lastTurn) {
    const lost = f.ns === missing
    c.sizer.observe(f.wire, lost)
    if (lost) break
  }
  c.lastTurn = []
}

/**
 * The information size to use for new I frames: the negotiated data size, or less while our
 * frames are being lost (see frame-size.ts). Each frame is charged its framing, its XBOFs and
 * its share of a turnaround (both minimum turnarounds and the peer's short answer).
 */
export function advisedDataSize (c: StationContext): number | undefined {
  const link = c.link
  if (link === undefined) return undefined
  const turn = 2 * bytesInTime(link.baudRate, link.txMinTurnaroundMs) + FRAME_OVERHEAD + c.xbofs
  return c.sizer.dataSize(link.txDataSize, FRAME_OVERHEAD + c.xbofs + turn / link.txWindowSize)
}

/** Anything to say in our next turn beyond a bare RR. */
export function hasWork (c: StationContext): boolean {
  const link = c.link
  if (link === undefined) return false
  if (c.pendingReject !== undefined || c.uiQueue.length > 0 || c.busyChanged) return true
  if (c.disconnectPending || c.resetPending || (c.testPending !== undefined && !c.testPending.sent)) return true
  if (c.remoteBusy) return false
  return c.retransmit.length > 0 || (c.txQueue.length > 0 && mod8(c.vs - c.va) < link.txWindowSize)
}

/**
 * Sends our turn: UI frames, then retransmissions, then new I frames while the window and the
 * line capacity (IrLAP 1.1 section 6.6.11) allow, the last frame carrying P (primary) or F
 * (secondary). A REJ/SREJ or local busy (RNR) goes as a closing S frame; so does RR when there
 * is no I frame to carry the bit.
 */
export function buildTurn (c: StationContext, now: number, primary: boolean): void {
  const link = c.link as NonNullable<StationContext['link']>
  // Our SREJ went out and the frame still did not come: fall back to REJ (go back N).
  if (c.srejOutstanding && c.pendingReject !== 'SREJ') {
    c.srejBuffer.clear()
    c.srejOutstanding = false
    c.rejOutstanding = true
    c.pendingReject = 'REJ'
  }
  let budget = c.lineCapacity
  const cost = (n: number): number => n + FRAME_OVERHEAD + c.xbofs
  const frames: LapFrame[] = []
  while (c.uiQueue.length > 0 && (frames.length === 0 || cost(c.uiQueue[0].length) <= budget)) {
    const info = c.uiQueue.shift() as Uint8Array
    budget -= cost(info.length)
    frames.push({ kind: 'UI', caddr: c.connAddr, command: primary, pf: false, info })
  }
  if (!c.remoteBusy) {
    while (c.retransmit.length > 0) {
      const ns = c.retransmit[0]
      const info = c.unacked.get(ns)
      if (info === undefined) { c.retransmit.shift(); continue }
      if (frames.length > 0 && cost(info.length) > budget) break
      c.retransmit.shift()
      budget -= cost(info.length)
      c.stats.retransmissions++
      frames.push({ kind: 'I', caddr: c.connAddr, command: primary, pf: false, ns, nr: c.vr, info })
    }
    while (c.retransmit.length === 0 && c.txQueue.length > 0 && mod8(c.vs - c.va) < link.txWindowSize &&
      (frames.length === 0 || cost(c.txQueue[0].length) <= budget)) {
      const info = c.txQueue.shift() as Uint8Array
      budget -= cost(info.length)
      c.unacked.set(c.vs, info)
      frames.push({ kind: 'I', caddr: c.connAddr, command: primary, pf: false, ns: c.vs, nr: c.vr, info })
      c.vs = mod8(c.vs + 1)
    }
  }
  const last = frames[frames.length - 1]
  c.lastTurn = frames.flatMap(f => f.kind === 'I' ? [{ ns: f.ns, wire: f.info.length + FRAME_OVERHEAD }] : [])
  // On a noisy link the P/F bit rides a short frame of its own: lost on a big I frame, it
  // would leave the line silent for the whole F timer.
  const silence = bytesInTime(link.baudRate, primary ? link.peerMaxTurnaroundMs : link.maxTurnaroundMs)
  const pollApart = last?.kind === 'I' && c.sizer.pollApart(last.info.length + FRAME_OVERHEAD, silence, FRAME_OVERHEAD + c.xbofs)
  if (last === undefined || last.kind !== 'I' || pollApart || c.pendingReject !== undefined || c.localBusy) {
    const kind = c.pendingReject ?? (c.localBusy ? 'RNR' : 'RR')
    if (kind === 'REJ') c.stats.rejSent++
    if (kind === 'SREJ') c.stats.srejSent++
    c.pendingReject = undefined
    frames.push({ kind, caddr: c.connAddr, command: primary, pf: true, nr: c.vr })
  } else {
    last.pf = true
  }
  c.busyChanged = false
  for (const f of frames) c.send(now, f)
}

/** A valid frame arrived: the link is alive, tell the layer above if we had warned it. */
export function noteAlive (c: StationContext): void {
  if (c.warned) c.emit({ type: 'status-indication', status: 'restored' })
  c.retries = 0
  c.warned = false
}

/** Our F or WD timer ran out: count it, warn at N1, report the link lost at N2. */
export function noteSilence (c: StationContext): 'lost' | 'continue' {
  c.retries++
  c.stats.noReply++
  if (c.retries >= c.n2) return 'lost'
  if (c.n1 > 0 && c.retries >= c.n1 && !c.warned) {
    c.warned = true
    c.emit({ type: 'status-indication', status: 'threshold' })
  }
  return 'continue'
}
