/*!
 * THE state table (h11's "Rule 1": every transition of the station is listed here and only
 * here). For each state: which received frame kinds, timers and requests it handles, and the
 * function that does it. A frame with no row is counted as ignored; a timer with no row is
 * stale and dropped; a request with no row is API misuse (InvalidStateError).
 *
 * The rows follow the state descriptions of IrLAP 1.1 section 6 (NDM, QUERY, REPLY, CONN,
 * SETUP, XMIT_P, RECV_P, PCLOSE, RESET_WAIT, RESET, RECV_S, XMIT_S, SCLOSE, RESET_CHECK, ERROR).
 */
import type { FrameKind, LapFrame } from '../frame.js'
import type { StationContext } from './context.js'
import type { ConnectRequest, DiscoveryRequest } from './primitives.js'
import type { LapState } from './states.js'
import type { TimerName } from './timers.js'
import * as D from './discovery.js'
import * as C from './connection.js'
import * as P from './primary.js'
import * as S from './secondary.js'

type FrameOf<K extends FrameKind> = LapFrame & { kind: K }
export type FrameRow = { [K in FrameKind]?: (c: StationContext, now: number, f: FrameOf<K>) => void }
export type TimerRow = { [T in TimerName]?: (c: StationContext, now: number) => void }

/** Arguments of each request from the layer above. */
export interface RequestArgs {
  'discovery': DiscoveryRequest
  'connect': ConnectRequest
  'connect-response': undefined
  'data': Uint8Array
  'unitdata': Uint8Array
  'disconnect': undefined
  'reset': undefined
  'reset-response': undefined
  'test': { deviceAddress?: number, data: Uint8Array }
}
export type RequestName = keyof RequestArgs
export type RequestRow = { [R in RequestName]?: (c: StationContext, now: number, arg: RequestArgs[R]) => void }

export interface StateRow {
  frames: FrameRow
  timers: TimerRow
  requests: RequestRow
}

// ---- shared pieces of rows ------------------------------------------------------------------

const ndmFrames: FrameRow = {
  XID: D.onXidCommand,
  TEST: D.onNdmTest,
  UI: D.onNdmUi,
  SNRM: C.onNdmSnrm,
  DISC: C.onNdmDisc,
}

const ndmRequests: RequestRow = {
  discovery: D.discoveryRequest,
  connect: (c, now, r) => { D.queueNdmRequest(c, now, { kind: 'connect', deviceAddress: r.deviceAddress, qos: r.qos ?? c.qos, since: now }) },
  unitdata: D.ndmUnitdataRequest,
  test: D.ndmTestRequest,
  disconnect: D.cancelPendingConnect,
}

const ndmTimers: TimerRow = {
  MediaBusy: D.onMediaBusyTimer,
  F: D.onNdmTestTimeout,
}

const refuseDiscovery = (c: StationContext): void => { D.refuseDiscoveryConnected(c) }
const queueData = (c: StationContext, _now: number, d: Uint8Array): void => { c.txQueue.push(d) }
const queueUi = (c: StationContext, _now: number, d: Uint8Array): void => { c.uiQueue.push(d) }
/** While the link closes, data can no longer go out; it is counted, and the disconnect indication follows. */
const discard = (c: StationContext): void => { c.stats.unsent++ }
const sendNow = (c: StationContext, now: number, d: Uint8Array, q: Uint8Array[]): void => { q.push(d); P.primaryKick(c, now) }

const primaryRecvFrames: FrameRow = {
  I: P.onPrimaryNrm,
  RR: P.onPrimaryNrm,
  RNR: P.onPrimaryNrm,
  REJ: P.onPrimaryNrm,
  SREJ: P.onPrimaryNrm,
  UI: P.onPrimaryUi,
  TEST: P.onPrimaryTest,
  RD: P.onPrimaryRd,
  DM: P.onPrimaryDm,
  FRMR: P.onPrimaryFrmr,
}

const secondaryFrames: FrameRow = {
  I: S.onSecondaryNrm,
  RR: S.onSecondaryNrm,
  RNR: S.onSecondaryNrm,
  REJ: S.onSecondaryNrm,
  SREJ: S.onSecondaryNrm,
  UI: S.onSecondaryUi,
  TEST: S.onSecondaryTest,
  SNRM: C.onSecondaryResetSnrm,
  DISC: C.onSecondaryDisc,
}

const secondaryRequests: RequestRow = {
  discovery: refuseDiscovery,
  data: queueData,
  unitdata: queueUi,
  disconnect: c => { c.disconnectPending = true },
}

const afterDiscReceived: FrameRow = { DISC: C.onSecondaryDisc }

// ---- the table ------------------------------------------------------------------------------

export const STATE_TABLE: Readonly<Record<LapState, StateRow>> = {
  NDM: { frames: ndmFrames, timers: ndmTimers, requests: ndmRequests },
  QUERY: {
    frames: { XID: D.onXidAnswer, UI: D.onNdmUi },
    timers: { Slot: D.onSlotTimer },
    requests: { unitdata: D.ndmUnitdataRequest },
  },
  REPLY: {
    frames: ndmFrames,
    timers: { Query: D.onQueryTimer, MediaBusy: D.onMediaBusyTimer, F: D.onNdmTestTimeout },
    // Our own discovery waits, as a connect does, until the other station's is over and the
    // medium has been quiet for 500 ms (IrLAP 1.1 section 6.13.3); refusing it at once would
    // report "nobody there" whenever a periodic discoverer (Linux, every 3 s) is in range.
    requests: ndmRequests,
  },
  CONN: {
    frames: afterDiscReceived,
    timers: { WD: C.onConnTimeout },
    requests: { 'connect-response': C.connectResponse, 'disconnect': C.refuseConnect, 'discovery': c => { D.refuseDiscoveryBusy(c) } },
  },
  SETUP: {
    frames: { UA: C.onSetupUa, DM: C.onSetupDm, SNRM: C.onSetupSnrm },
    timers: { F: C.onSetupTimeout, Backoff: C.onSetupBackoff },
    requests: { disconnect: c => { C.disconnected(c, 'user-request') }, discovery: c => { D.refuseDiscoveryBusy(c) } },
  },
  XMIT_P: {
    frames: {},
    timers: { P: P.onPrimaryP },
    requests: {
      discovery: refuseDiscovery,
      data: (c, now, d) => { sendNow(c, now, d, c.txQueue) },
      unitdata: (c, now, d) => { sendNow(c, now, d, c.uiQueue) },
      disconnect: (c, now) => { C.sendDisc(c, now) },
      reset: C.sendResetSnrm,
      test: (c, now, t) => { c.testPending = { data: t.data, sent: false }; P.primaryKick(c, now) },
    },
  },
  RECV_P: {
    frames: primaryRecvFrames,
    timers: { F: P.onPrimaryF },
    requests: {
      discovery: refuseDiscovery,
      data: queueData,
      unitdata: queueUi,
      disconnect: c => { c.disconnectPending = true },
      reset: c => { c.resetPending = true },
      test: (c, _now, t) => { c.testPending = { data: t.data, sent: false } },
    },
  },
  PCLOSE: {
    frames: { UA: C.onPcloseAnswer, DM: C.onPcloseAnswer },
    timers: { F: C.onPcloseTimeout },
    requests: { discovery: refuseDiscovery, data: discard, unitdata: discard, disconnect: () => {} },
  },
  RESET_WAIT: {
    frames: {},
    timers: { F: C.onResetWaitTimeout },
    requests: {
      'discovery': refuseDiscovery,
      'data': queueData,
      'unitdata': queueUi,
      'reset': C.sendResetSnrm,
      'reset-response': C.sendResetSnrm,
      'disconnect': (c, now) => { C.sendDisc(c, now) },
    },
  },
  RESET: {
    frames: { UA: C.onResetUa, DM: P.onPrimaryDm },
    timers: { F: C.onResetTimeout },
    requests: { discovery: refuseDiscovery, data: queueData, unitdata: queueUi, disconnect: c => { c.disconnectPending = true } },
  },
  RECV_S: { frames: secondaryFrames, timers: { WD: S.onSecondaryWd, Turn: S.onSecondaryTurnDue }, requests: secondaryRequests },
  XMIT_S: { frames: secondaryFrames, timers: { WD: S.onSecondaryWd, Turn: S.onSecondaryTurnDue }, requests: secondaryRequests },
  SCLOSE: {
    frames: { DISC: C.onSecondaryDisc, I: S.onScloseCommand, RR: S.onScloseCommand, RNR: S.onScloseCommand, REJ: S.onScloseCommand, SREJ: S.onScloseCommand },
    timers: { WD: S.onScloseWd },
    requests: { discovery: refuseDiscovery, data: discard, unitdata: discard, disconnect: () => {} },
  },
  RESET_CHECK: {
    frames: afterDiscReceived,
    timers: { WD: S.onResetCheckWd },
    requests: { 'discovery': refuseDiscovery, 'reset-response': C.secondaryResetResponse, 'disconnect': C.refuseConnect, 'data': queueData, 'unitdata': queueUi },
  },
  ERROR_S: {
    frames: {
      SNRM: C.onSecondaryResetSnrm,
      DISC: C.onSecondaryDisc,
      I: S.onErrorCommand, RR: S.onErrorCommand, RNR: S.onErrorCommand, REJ: S.onErrorCommand, SREJ: S.onErrorCommand, UI: S.onErrorCommand, TEST: S.onErrorCommand,
    },
    timers: { WD: S.onSecondaryWd },
    requests: secondaryRequests,
  },
}
