/*!
 * NDM procedures (IrLAP 1.1 sections 6.11 and 6.13.3): media-busy sensing before we speak,
 * discovery as initiator (XID slots, then the final XID with our info) and as responder (one
 * answer in a random slot), the new-address procedure, UI and TEST in NDM.
 */
import { BROADCAST_CADDR, BROADCAST_DEVICE, type LapFrame, type XidInfo } from '../frame.js'
import type { StationContext, QueryState } from './context.js'
import { randomDeviceAddress } from './context.js'
import type { DiscoveredDevice, DiscoveryRequest } from './primitives.js'
import { startSetup } from './connection.js'
import { InvalidStateError } from './errors.js'

type Xid = LapFrame & { kind: 'XID' }
type Test = LapFrame & { kind: 'TEST' }
type Ui = LapFrame & { kind: 'UI' }

const FINAL_SLOT = 0xFF
/** Airtime allowance for one XID command at 9600 b/s (about 30 bytes with XBOFs). */
const XID_AIRTIME_MS = 35

/** 0 and 0xFFFFFFFF (broadcast) are no station's address: frames claiming them as source are dropped. */
export function isReservedAddress (a: number): boolean { return a === 0 || a === BROADCAST_DEVICE }

// ---- media busy -----------------------------------------------------------------------

/**
 * A discovery or connect request from NDM: it goes out once the medium has been quiet for 500 ms.
 * One request waits at a time, and every request gets its confirm: a connect waiting keeps its
 * place and a new discovery is refused as media-busy; a discovery waiting gives way to a
 * connect and is confirmed media-busy (it used to be dropped, and its caller waited forever).
 */
export function queueNdmRequest (c: StationContext, now: number, p: NonNullable<StationContext['pendingNdm']>): void {
  const waiting = c.pendingNdm
  if (waiting?.kind === 'connect' && p.kind === 'discovery') { refuseDiscoveryBusy(c); return }
  if (waiting?.kind === 'discovery') refuseDiscoveryBusy(c)
  c.pendingNdm = p
  tryPendingNdm(c, now)
}

/**
 * IRLAP_DISCONNECT.request before the SNRM went out: the connect still waiting for a quiet medium
 * is withdrawn and confirmed down, so the layer above never waits on a link that will not come.
 * With no connect waiting there is nothing to disconnect.
 */
export function cancelPendingConnect (c: StationContext): void {
  if (c.pendingNdm?.kind !== 'connect') throw new InvalidStateError('disconnect', c.state)
  c.pendingNdm = undefined
  c.timers.stop('MediaBusy')
  c.emit({ type: 'disconnect-indication', reason: 'user-request' })
}

/**
 * Runs the waiting NDM request if the medium has been quiet for the media-busy time (IrLAP 1.1
 * section 6.13.3: listen 500 ms before discovery or connection), gives up after
 * `mediaBusyGiveUpMs`, or rearms the MediaBusy timer.
 */
export function tryPendingNdm (c: StationContext, now: number): void {
  const p = c.pendingNdm
  if (p === undefined) return
  if (c.state !== 'NDM') { c.timers.set('MediaBusy', now + c.timing.mediaBusyMs); return }
  const quietAt = c.lastActivity + c.timing.mediaBusyMs
  const justDiscovered = p.kind === 'connect' && c.discoveredAt !== undefined && c.lastActivity <= c.discoveredAt
  if (!c.mediaBusy && (now >= quietAt || justDiscovered)) {
    c.discoveredAt = undefined
    c.pendingNdm = undefined
    c.timers.stop('MediaBusy')
    onNdmTestTimeout(c, now) // the F timer is about to serve the new procedure
    c.timers.stop('F')
    if (p.kind === 'discovery') startQuery(c, now, p.slots, p.newAddressFor)
    else startSetup(c, now, p.deviceAddress, p.qos)
    return
  }
  if (now - p.since >= c.timing.mediaBusyGiveUpMs) {
    c.pendingNdm = undefined
    c.timers.stop('MediaBusy')
    if (p.kind === 'discovery') c.emit({ type: 'discovery-confirm', status: 'media-busy', devices: [], conflicts: [] })
    else c.emit({ type: 'disconnect-indication', reason: 'media-busy' })
    return
  }
  c.timers.set('MediaBusy', c.mediaBusy ? now + c.timing.mediaBusyMs : quietAt)
}

export function onMediaBusyTimer (c: StationContext, now: number): void { tryPendingNdm(c, now) }

/** A connection from another station takes the medium: a discovery or connect we were waiting to start fails. */
export function abandonPendingNdm (c: StationContext): void {
  const p = c.pendingNdm
  if (p === undefined) return
  c.pendingNdm = undefined
  c.timers.stop('MediaBusy')
  if (p.kind === 'discovery') c.emit({ type: 'discovery-confirm', status: 'media-busy', devices: [], conflicts: [] })
  else c.emit({ type: 'disconnect-indication', reason: 'media-busy' })
}

// ---- discovery initiator ------------------------------------------------------------------

export function discoveryRequest (c: StationContext, now: number, req: DiscoveryRequest): void {
  queueNdmRequest(c, now, { kind: 'discovery', slots: req.slots ?? 6, newAddressFor: req.newAddressFor, since: now })
}

function startQuery (c: StationContext, now: number, slots: QueryState['slots'], newAddressFor?: number): void {
  c.query = { slots, slot: 0, newAddressFor, answers: [], deferred: false }
  c.enter('QUERY')
  sendSlot(c, now, 0)
}

function xidCommand (c: StationContext, q: QueryState, slot: number): LapFrame {
  const info: XidInfo = {
    format: 0x01,
    source: c.deviceAddress,
    destination: q.newAddressFor ?? BROADCAST_DEVICE,
    slots: q.slots,
    newAddress: q.newAddressFor !== undefined,
    slot,
    version: 0x00,
    ...(slot === FINAL_SLOT ? { discoveryInfo: c.discoveryInfo } : {}),
  }
  return { kind: 'XID', caddr: BROADCAST_CADDR, command: true, pf: true, info }
}

function sendSlot (c: StationContext, now: number, slot: number): void {
  const q = c.query as QueryState
  q.slot = slot
  c.send(now, xidCommand(c, q, slot))
  c.armAfterTx(now, 'Slot', c.timing.slotMs)
}

/** Slot timer: next slot, or the final XID and the confirm. Waits while an answer is still arriving. */
export function onSlotTimer (c: StationContext, now: number): void {
  const q = c.query
  if (q === undefined) return
  if (c.mediaBusy) { q.deferred = true; return }
  nextSlot(c, now)
}

function nextSlot (c: StationContext, now: number): void {
  const q = c.query as QueryState
  q.deferred = false
  if (q.slot + 1 < q.slots) { sendSlot(c, now, q.slot + 1); return }
  c.send(now, xidCommand(c, q, FINAL_SLOT))
  const seen = new Map<number, DiscoveredDevice>()
  const conflicts = new Set<number>()
  for (const a of q.answers) {
    if (seen.has(a.deviceAddress)) conflicts.add(a.deviceAddress)
    else seen.set(a.deviceAddress, a)
  }
  c.query = undefined
  c.enter('NDM')
  c.discoveredAt = seen.size > 0 ? c.lastActivity : undefined
  c.emit({ type: 'discovery-confirm', status: 'ok', devices: [...seen.values()], conflicts: [...conflicts] })
}

/** The medium went quiet: a deferred slot can go on, a waiting request may start. */
export function onMediaIdle (c: StationContext, now: number): void {
  if (c.state === 'QUERY' && c.query?.deferred === true && !c.timers.running('Slot')) nextSlot(c, now)
  if (c.pendingNdm !== undefined) tryPendingNdm(c, now)
}

/** An XID response in QUERY: record the answer (a second answer from one address is a conflict). */
export function onXidAnswer (c: StationContext, now: number, f: Xid): void {
  const q = c.query
  if (q === undefined || f.command || f.info.destination !== c.deviceAddress) { c.stats.ignored++; return }
  if (isReservedAddress(f.info.source)) { c.stats.reservedAddress++; return }
  q.answers.push({ deviceAddress: f.info.source, info: f.info.discoveryInfo ?? new Uint8Array(0) })
  if (q.deferred && !c.mediaBusy) nextSlot(c, now)
}

// ---- discovery responder -----------------------------------------------------------------

/** An XID command in NDM or REPLY (IrLAP 1.1 section 6.11.3). */
export function onXidCommand (c: StationContext, now: number, f: Xid): void {
  if (!f.command) { c.stats.ignored++; return }
  const x = f.info
  if (x.destination !== BROADCAST_DEVICE && x.destination !== c.deviceAddress) { c.stats.ignored++; return }
  if (isReservedAddress(x.source)) { c.stats.reservedAddress++; return }
  if (x.slot === FINAL_SLOT) {
    c.timers.stop('Query')
    c.reply = undefined
    c.enter('NDM')
    c.emit({ type: 'discovery-indication', device: { deviceAddress: x.source, info: x.discoveryInfo ?? new Uint8Array(0) } })
    return
  }
  if (x.slot >= x.slots) { c.stats.ignored++; return }
  let r = c.reply
  const fresh = r === undefined || r.initiator !== x.source || x.slot < r.lastSlot
  if (fresh) {
    if (x.newAddress) {
      const previous = c.deviceAddress
      c.deviceAddress = randomDeviceAddress(c.random)
      c.emit({ type: 'address-changed', previous, deviceAddress: c.deviceAddress })
    }
    r = { initiator: x.source, slots: x.slots, ourSlot: x.slot + c.random.int(x.slots - x.slot), answered: false, lastSlot: x.slot }
    c.reply = r
    c.enter('REPLY')
  }
  r = r as NonNullable<StationContext['reply']>
  r.lastSlot = x.slot
  if (!r.answered && x.slot === r.ourSlot) {
    r.answered = true
    c.send(now, {
      kind: 'XID',
      caddr: BROADCAST_CADDR,
      command: false,
      pf: true,
      info: { format: 0x01, source: c.deviceAddress, destination: x.source, slots: x.slots, newAddress: false, slot: x.slot, version: 0x00, discoveryInfo: c.discoveryInfo },
    })
  }
  // Wait for the remaining slots and the final XID, then give up (Query timer).
  c.timers.set('Query', now + (x.slots - x.slot) * (c.timing.slotMs + XID_AIRTIME_MS) + c.timing.queryMarginMs)
}

export function onQueryTimer (c: StationContext, _now: number): void {
  c.reply = undefined
  c.enter('NDM')
}

/** A discovery request while a link is up is refused at once (IrLAP 1.1 section 6.11: discovery is an NDM procedure). */
export function refuseDiscoveryConnected (c: StationContext): void {
  c.emit({ type: 'discovery-confirm', status: 'link-in-use', devices: [], conflicts: [] })
}

/** A discovery request while someone else's discovery or connection setup holds the medium. */
export function refuseDiscoveryBusy (c: StationContext): void {
  c.emit({ type: 'discovery-confirm', status: 'media-busy', devices: [], conflicts: [] })
}

// ---- UI and TEST in NDM ----------------------------------------------------------------------

export function ndmUnitdataRequest (c: StationContext, now: number, data: Uint8Array): void {
  c.send(now, { kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: false, info: data })
}

export function onNdmUi (c: StationContext, _now: number, f: Ui): void {
  if (f.caddr !== BROADCAST_CADDR) { c.stats.ignored++; return }
  c.emit({ type: 'unitdata-indication', data: f.info, broadcast: true })
}

/** TEST command in NDM addressed to us or to all, with P: echo it (IrLAP 1.1 section 6.12, conformance IS39). */
export function onNdmTest (c: StationContext, now: number, f: Test): void {
  const t = f.info
  if (f.command) {
    const dest = t.destination ?? BROADCAST_DEVICE
    if (!f.pf || (dest !== BROADCAST_DEVICE && dest !== c.deviceAddress) || t.source === undefined) { c.stats.ignored++; return }
    c.send(now, { kind: 'TEST', caddr: BROADCAST_CADDR, command: false, pf: true, info: { source: c.deviceAddress, destination: t.source, data: t.data } })
    return
  }
  if (c.ndmTest !== undefined && t.destination === c.deviceAddress) {
    c.ndmTest = undefined
    c.timers.stop('F')
    c.emit({ type: 'test-confirm', ok: true, data: t.data })
    return
  }
  c.stats.ignored++
}

export function ndmTestRequest (c: StationContext, now: number, req: { deviceAddress?: number, data: Uint8Array }): void {
  c.ndmTest = { data: req.data }
  c.send(now, { kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: c.deviceAddress, destination: req.deviceAddress ?? BROADCAST_DEVICE, data: req.data } })
  c.armAfterTx(now, 'F', c.timing.contentionMaxTurnaroundMs)
}

export function onNdmTestTimeout (c: StationContext, _now: number): void {
  if (c.ndmTest === undefined) return
  const data = c.ndmTest.data
  c.ndmTest = undefined
  c.emit({ type: 'test-confirm', ok: false, data })
}
