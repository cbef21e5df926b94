/*!
 * Link setup, reset and disconnect (IrLAP 1.1 sections 6.4, 6.5 and 6.10): SNRM with our QoS at
 * 9600 b/s, UA with the secondary's, switching to the negotiated speed, N3 retries, refusal by
 * DM; reset by SNRM in NRM; DISC/UA from the primary, RD from the secondary.
 */
import { BROADCAST_CADDR, type LapFrame, type QosFields } from '../frame.js'
import { emitFrame } from '../wire/index.js'
import { QOS_FALLBACK_BITS, negotiate, responseQos, type LinkParams } from '../qos/index.js'
import type { StationContext } from './context.js'
import type { DisconnectReason } from './primitives.js'
import { primaryTurn } from './primary.js'
import { enterReceiveS } from './secondary.js'
import { abandonPendingNdm, isReservedAddress, onNdmTestTimeout } from './discovery.js'

type Snrm = LapFrame & { kind: 'SNRM' }
type Ua = LapFrame & { kind: 'UA' }
type Frame = LapFrame

// ---- primary: SETUP --------------------------------------------------------------------------

export function startSetup (c: StationContext, now: number, deviceAddress: number, qos: QosFields): void {
  c.peerAddress = deviceAddress
  c.qos = qos
  c.connAddr = 1 + c.random.int(0x7E) // 0x01..0x7E: never the broadcast 0x7F
  c.tries = 0
  c.enter('SETUP')
  sendSnrm(c, now)
}

function sendSnrm (c: StationContext, now: number): void {
  c.tries++
  c.send(now, {
    kind: 'SNRM',
    caddr: BROADCAST_CADDR,
    command: true,
    pf: true,
    info: { source: c.deviceAddress, destination: c.peerAddress, connAddr: c.connAddr, qos: c.qos },
  })
  c.armAfterTx(now, 'F', c.timing.contentionMaxTurnaroundMs)
}

/**
 * F timer in SETUP: no UA. Try again after a random backoff, up to N3 tries, then report that
 * nobody answered. The backoff (half to one and a half times an SNRM's airtime at the
 * contention speed, as Linux' irlap_event.c also waits) keeps two stations that sent SNRM at
 * the same instant from colliding on every retry.
 */
export function onSetupTimeout (c: StationContext, now: number): void {
  if (c.tries >= c.timing.connectTries) { disconnected(c, 'no-answer'); return }
  backoff(c, now)
}

/**
 * Backoff over in SETUP: repeat the SNRM, unless someone is transmitting (likely the other
 * primary's SNRM, which we will hear whole and settle by address): then back off again.
 */
export function onSetupBackoff (c: StationContext, now: number): void {
  if (c.mediaBusy) { backoff(c, now); return }
  sendSnrm(c, now)
}

function backoff (c: StationContext, now: number): void {
  c.timers.set('Backoff', now + snrmAirtimeMs(c) * (0.5 + c.random.next()))
}

/** Airtime of our SNRM at the contention speed: frame, FCS, BOF, EOF and XBOFs at 10 bits per byte (escapes ignored). */
function snrmAirtimeMs (c: StationContext): number {
  const frame = emitFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: c.deviceAddress, destination: c.peerAddress, connAddr: c.connAddr, qos: c.qos } })
  return (frame.length + 4 + c.timing.contentionXbofs) * 10 * 1000 / c.timing.contentionBps
}

/** UA to our SNRM: negotiate, switch speed (we have received the UA, IrLAP 1.1 section 6.7.3), start NRM with a poll. */
export function onSetupUa (c: StationContext, now: number, f: Ua): void {
  const ua = f.info
  if (f.command || f.caddr !== c.connAddr || ua === undefined || ua.source !== c.peerAddress || ua.destination !== c.deviceAddress) { c.stats.ignored++; return }
  c.timers.stop('Backoff')
  const p = negotiate(c.qos, ua.qos ?? QOS_FALLBACK_BITS, c.negotiateOptions)
  c.timers.stop('F')
  if (!p.ok) {
    // The secondary already switched; tell it we are gone at the contention speed and give up.
    disconnected(c, 'negotiation-failed')
    return
  }
  applyLink(c, p.value)
  c.emit({ type: 'connect-confirm', deviceAddress: c.peerAddress, params: c.link as NonNullable<StationContext['link']> })
  c.enter('XMIT_P')
  primaryTurn(c, now)
}

export function onSetupDm (c: StationContext, _now: number, f: Frame): void {
  if (f.command || (f.caddr !== c.connAddr && f.caddr !== BROADCAST_CADDR)) { c.stats.ignored++; return }
  disconnected(c, 'remote-dm')
}

/**
 * SNRM while our own SNRM is out: two primaries. The station with the higher device address
 * keeps the primary role; the other gives way and treats the SNRM as an incoming connection.
 */
export function onSetupSnrm (c: StationContext, now: number, f: Snrm): void {
  const s = f.info
  if (s === undefined || s.destination !== c.deviceAddress) { c.stats.ignored++; return }
  if (s.source > c.deviceAddress) {
    c.timers.stop('F')
    c.timers.stop('Backoff')
    onNdmSnrm(c, now, f)
  }
  // Otherwise we keep the primary role; a pending backoff still repeats our SNRM.
}

// ---- secondary: CONN -------------------------------------------------------------------------

/** SNRM addressed to us in NDM: tell the layer above and wait for its answer. */
export function onNdmSnrm (c: StationContext, now: number, f: Snrm): void {
  const s = f.info
  if (!f.command || f.caddr !== BROADCAST_CADDR || s === undefined || s.destination !== c.deviceAddress || s.connAddr === BROADCAST_CADDR) { c.stats.ignored++; return }
  if (isReservedAddress(s.source)) { c.stats.reservedAddress++; return }
  c.reply = undefined
  abandonPendingNdm(c)
  onNdmTestTimeout(c, now)
  c.timers.stopAll()
  c.peerAddress = s.source
  c.connAddr = s.connAddr
  c.peerQos = s.qos ?? QOS_FALLBACK_BITS
  c.enter('CONN')
  c.timers.set('WD', now + c.timing.connectResponseMs)
  c.emit({ type: 'connect-indication', deviceAddress: s.source, qos: c.peerQos })
}

/** The layer above accepts: UA with our QoS at 9600 b/s, then switch once the UA has left. */
export function connectResponse (c: StationContext, now: number): void {
  const peerQos = c.peerQos as QosFields
  const p = negotiate(c.qos, peerQos, c.negotiateOptions)
  if (!p.ok) {
    c.send(now, { kind: 'DM', caddr: c.connAddr, command: false, pf: true })
    disconnected(c, 'negotiation-failed')
    return
  }
  c.timers.stop('WD')
  c.send(now, {
    kind: 'UA',
    caddr: c.connAddr,
    command: false,
    pf: true,
    info: { source: c.deviceAddress, destination: c.peerAddress, qos: responseQos(c.qos, peerQos) },
  })
  applyLink(c, p.value)
  c.emit({ type: 'connect-confirm', deviceAddress: c.peerAddress, params: c.link as NonNullable<StationContext['link']> })
  enterReceiveS(c, now)
}

/** The layer above refuses the connection: DM. */
export function refuseConnect (c: StationContext, now: number): void {
  c.send(now, { kind: 'DM', caddr: c.connAddr, command: false, pf: true })
  disconnected(c, 'user-request')
}

/** Nobody answered the connect indication in time; the primary has given up by now. */
export function onConnTimeout (c: StationContext, _now: number): void {
  disconnected(c, 'no-answer')
}

/**
 * Takes the negotiated parameters into use: speed (queued after whatever is already queued,
 * so after our UA), the peer's minimum turnaround, the XBOFs it asked for, retry limits.
 */
export function applyLink (c: StationContext, p: LinkParams): void {
  c.link = {
    baudRate: p.baudRate,
    txDataSize: p.txDataSize,
    txWindowSize: p.txWindowSize,
    txAdditionalBofs: p.txAdditionalBofs,
    txMinTurnaroundMs: p.txMinTurnaroundMs,
    maxTurnaroundMs: p.maxTurnaroundMs,
    peerMaxTurnaroundMs: p.peerMaxTurnaroundMs,
    rxDataSize: p.rxDataSize,
    rxWindowSize: p.rxWindowSize,
    linkDisconnectMs: p.linkDisconnectMs,
    thresholdMs: p.thresholdMs,
  }
  c.lineCapacity = p.lineCapacity
  c.setSpeed(p.baudRate)
  c.tx.push({ type: 'min-turnaround', ms: p.txMinTurnaroundMs })
  c.xbofs = p.txAdditionalBofs
  c.resetSequence()
  c.txQueue.length = 0
  c.uiQueue.length = 0
  c.tries = 0
}

/**
 * Retry limits from the negotiated times (IrLAP 1.1 section 6.13.4 and 6.6.12): N1 = threshold
 * time / timer, N2 = link-disconnect time / timer, for the timer that counts silence (F on the
 * primary, WD on the secondary). A threshold of 0 means no warning.
 */
export function retryLimits (c: StationContext, timerMs: number): void {
  const l = c.link
  if (l === undefined) return
  c.n1 = l.thresholdMs > 0 ? Math.max(1, Math.ceil(l.thresholdMs / timerMs)) : 0
  c.n2 = Math.max(1, Math.ceil(l.linkDisconnectMs / timerMs))
}

// ---- reset ----------------------------------------------------------------------------------------

/**
 * Primary: reset SNRM in NRM (IrLAP 1.1 section 6.9) on our connection address, with no
 * negotiation parameters: the link keeps its parameters. It carries the addresses and the
 * connection address (the SNRM information field without its parameter list), which tells
 * the secondary which link is meant and lets analysers (Wireshark) decode it.
 */
export function sendResetSnrm (c: StationContext, now: number): void {
  c.resetPending = false
  c.timers.stop('P')
  if (c.state !== 'RESET') c.tries = 0
  c.tries++
  c.enter('RESET')
  c.send(now, { kind: 'SNRM', caddr: c.connAddr, command: true, pf: true, info: { source: c.deviceAddress, destination: c.peerAddress, connAddr: c.connAddr } })
  c.armAfterTx(now, 'F', (c.link as NonNullable<StationContext['link']>).peerMaxTurnaroundMs)
}

/** RESET_WAIT: the layer above never answered the reset indication. */
export function onResetWaitTimeout (c: StationContext, _now: number): void {
  disconnected(c, 'reset-failed')
}

export function onResetTimeout (c: StationContext, now: number): void {
  if (c.tries < c.timing.connectTries) { sendResetSnrm(c, now); return }
  disconnected(c, 'reset-failed')
}

export function onResetUa (c: StationContext, now: number, f: Ua): void {
  if (f.command || f.caddr !== c.connAddr) { c.stats.ignored++; return }
  c.timers.stop('F')
  c.resetSequence()
  c.txQueue.length = 0
  c.emit({ type: 'reset-confirm' })
  c.enter('XMIT_P')
  primaryTurn(c, now)
}

/** Primary: FRMR or an invalid response: the layer above decides (reset response or disconnect). */
export function primaryNeedsReset (c: StationContext, now: number): void {
  c.timers.stop('P')
  // Without an answer from above within the link-disconnect time the link is given up.
  c.timers.set('F', now + (c.link as NonNullable<StationContext['link']>).linkDisconnectMs)
  c.enter('RESET_WAIT')
  c.emit({ type: 'reset-indication', origin: 'local' })
}

/** Secondary: SNRM on our connection address in NRM is a reset; the layer above must answer. */
export function onSecondaryResetSnrm (c: StationContext, now: number, f: Snrm): void {
  if (f.info !== undefined && (f.info.source !== c.peerAddress || f.info.destination !== c.deviceAddress)) { c.stats.ignored++; return }
  c.frmr = undefined
  c.timers.stop('Turn') // the reset is answered by the layer above, not by a turn
  c.enter('RESET_CHECK')
  c.timers.set('WD', now + 2 * (c.link as NonNullable<StationContext['link']>).peerMaxTurnaroundMs)
  c.emit({ type: 'reset-indication', origin: 'remote' })
}

/** Secondary: the layer above agrees to the reset: UA, sequence numbers back to 0. */
export function secondaryResetResponse (c: StationContext, now: number): void {
  c.resetSequence()
  c.txQueue.length = 0
  c.send(now, { kind: 'UA', caddr: c.connAddr, command: false, pf: true })
  enterReceiveS(c, now)
}

// ---- disconnect -------------------------------------------------------------------------------

/** Primary: DISC with P (IrLAP 1.1 section 6.10.1). */
export function sendDisc (c: StationContext, now: number, reason: DisconnectReason = 'user-request'): void {
  c.disconnectPending = false
  c.timers.stop('P')
  if (c.state !== 'PCLOSE') { c.tries = 0; c.closeReason = reason }
  c.tries++
  c.enter('PCLOSE')
  c.send(now, { kind: 'DISC', caddr: c.connAddr, command: true, pf: true })
  const turn = c.link?.peerMaxTurnaroundMs ?? c.timing.contentionMaxTurnaroundMs
  c.armAfterTx(now, 'F', turn)
}

export function onPcloseAnswer (c: StationContext, _now: number, f: Frame): void {
  if (f.command || f.caddr !== c.connAddr) { c.stats.ignored++; return }
  disconnected(c, c.closeReason)
}

export function onPcloseTimeout (c: StationContext, now: number): void {
  if (c.tries < c.timing.connectTries) { sendDisc(c, now); return }
  disconnected(c, c.closeReason)
}

/** Secondary: DISC from the primary: UA, then back to NDM (the speed drops after the UA has left). */
export function onSecondaryDisc (c: StationContext, now: number, _f: Frame): void {
  c.send(now, { kind: 'UA', caddr: c.connAddr, command: false, pf: true })
  disconnected(c, c.state === 'SCLOSE' ? 'user-request' : 'remote-request')
}

/** NDM: a DISC on the connection address we just used gets DM (IrLAP 1.1 section 6.10; conformance IS38). */
export function onNdmDisc (c: StationContext, now: number, f: Frame): void {
  if (!f.command || f.caddr !== c.lastConnAddr) { c.stats.ignored++; return }
  c.send(now, { kind: 'DM', caddr: f.caddr, command: false, pf: true })
}

/** Leaves the link: NDM at 9600 b/s, and the layer above is told why. */
export function disconnected (c: StationContext, reason: DisconnectReason): void {
  c.toNdm()
  c.emit({ type: 'disconnect-indication', reason })
}
