/*! IrLAP mutants: discovery, connection, data transfer, errors and timing of our stack as the secondary and as the primary. */
import { BROADCAST_CADDR, BROADCAST_DEVICE, DATA_SIZES, parseFrame, type LapFrame } from '@irdakit/lap'
import type { Mutant } from './types.js'

type Of<K extends LapFrame['kind']> = LapFrame & { kind: K }
const is = <K extends LapFrame['kind']>(f: LapFrame | undefined, kind: K): f is Of<K> => f?.kind === kind
/** A mutant that only rewrites frames, with no state. */
const frames = (name: string, bug: string, hooks: { in?: (f: LapFrame) => LapFrame | undefined, out?: (f: LapFrame) => LapFrame | LapFrame[] | undefined }): Mutant => ({
  name,
  bug,
  plant: () => ({
    ...(hooks.in !== undefined ? { in: (f: LapFrame | undefined, raw: Uint8Array) => f === undefined ? raw : (hooks.in as (f: LapFrame) => LapFrame | undefined)(f) } : {}),
    ...(hooks.out !== undefined ? { out: hooks.out } : {}),
  }),
})
/** A mutant that only sets our stack's IrLAP timing. */
const timing = (name: string, bug: string, t: NonNullable<ReturnType<Mutant['plant']>['timing']>): Mutant => ({ name, bug, plant: () => ({ timing: t }) })
/** The PL of parameter `pi` in a SNRM's raw bytes (the list starts after the two addresses and the connection address), or undefined. */
function paramLength (raw: Uint8Array, pi: number): number | undefined {
  for (let i = 11; i + 1 < raw.length; i += 2 + raw[i + 1]) if (raw[i] === pi) return raw[i + 1]
  return undefined
}
/** A SNRM's parameter list (after byte 11) whose last PV runs past the frame. */
function listCutShort (raw: Uint8Array): boolean {
  let i = 11
  while (i + 1 < raw.length) i += 2 + raw[i + 1]
  return i > raw.length || i === raw.length - 1
}
const RESERVED_DEVICES = new Set([0x00000000, 0xFFFFFFFF])
/** Someone else's device address, for the mutants that take a reserved one as ordinary. */
const ORDINARY = 0x0BADBEEF

const DISCOVERY: Mutant[] = [
  frames('xid-slot-zero', 'says slot 0 in every discovery reply, whatever slot it answers in', {
    out: f => is(f, 'XID') && !f.command ? { ...f, info: { ...f.info, slot: 0 } } : f,
  }),
  frames('xid-any-destination', 'answers discovery XID commands addressed to another device', {
    in: f => is(f, 'XID') && f.command ? { ...f, info: { ...f.info, destination: BROADCAST_DEVICE } } : f,
  }),
  frames('xid-version-1', 'says IrLAP version 1 in its discovery replies (version 0 is the only one)', {
    out: f => is(f, 'XID') && !f.command ? { ...f, info: { ...f.info, version: 1 } } : f,
  }),
  frames('xid-first-command', 'answers a multi-slot discovery at its first XID command, whatever slot it drew', {
    in: f => is(f, 'XID') && f.command && f.info.slot < f.info.slots ? { ...f, info: { ...f.info, slot: f.info.slots - 1 } } : f,
  }),
  extraXidReplies('xid-answer-final', 'answers the final XID command (slot 0xFF) too, with its usual discovery reply',
    cmd => cmd.info.slot === 0xFF ? 0xFF : undefined),
  extraXidReplies('xid-every-slot', 'answers every XID command of a multi-slot discovery, besides its reply in the slot it drew',
    cmd => cmd.info.slots > 1 && cmd.info.slot < cmd.info.slots ? cmd.info.slot : undefined),
  {
    name: 'ignore-cr',
    bug: 'ignores the C/R bit: takes response frames for commands',
    plant: () => ({
      in: (f, raw) => {
        if (f?.command === true) return f
        // XID has a control field of its own for each direction; the others differ in the C/R bit only.
        if (is(f, 'XID')) return { ...f, command: true }
        const flipped = Uint8Array.from([raw[0] | 0x01, ...raw.subarray(1)])
        // A frame that is malformed as a response (RNRM with parameters) may be a good command.
        return f !== undefined || parseFrame(flipped).ok ? flipped : raw
      },
    }),
  },
  frames('reserved-addresses', 'takes the reserved device addresses 0x00000000 and 0xffffffff, and the broadcast connection address 0x7f, for ordinary ones', {
    in: f => {
      if (is(f, 'XID') && f.command && RESERVED_DEVICES.has(f.info.source)) return { ...f, info: { ...f.info, source: ORDINARY + (f.info.source & 1) } }
      if (is(f, 'SNRM') && f.info !== undefined && (f.info.source === BROADCAST_DEVICE || f.info.connAddr === BROADCAST_CADDR)) {
        return { ...f, info: { ...f.info, source: f.info.source === BROADCAST_DEVICE ? ORDINARY : f.info.source, connAddr: f.info.connAddr === BROADCAST_CADDR ? 0x7E : f.info.connAddr } }
      }
      return f
    },
  }),
  {
    name: 'xid-truncated-wedge',
    bug: 'a truncated XID command leaves its discovery state stuck for a second: no replies meanwhile',
    plant: io => {
      let deafUntil = -Infinity
      return {
        in: (f, raw) => {
          if (f === undefined && raw.length >= 2 && (raw[1] & 0xEF) === 0x2F) deafUntil = io.now() + 1000
          if (f === undefined) return raw
          return is(f, 'XID') && f.command && io.now() < deafUntil ? undefined : f
        },
      }
    },
  },
  {
    name: 'xid-new-address',
    bug: 'takes a new device address for every discovery it answers, as if it resolved an address conflict each time',
    plant: () => {
      let n = 0
      return { out: f => is(f, 'XID') && !f.command ? { ...f, info: { ...f.info, source: (f.info.source + n++) >>> 0 } } : f }
    },
  },
  {
    name: 'xid-reply-to-first',
    bug: 'sends every discovery reply to the first station that ever discovered it',
    plant: () => {
      let first: number | undefined
      return { out: f => { if (!is(f, 'XID') || f.command) return f; first ??= f.info.destination; return { ...f, info: { ...f.info, destination: first } } } }
    },
  },
  {
    name: 'late-xid-reply',
    bug: 'answers discovery 80 ms late (the slot timer read as the reply delay)',
    plant: () => ({ delay: f => is(f, 'XID') && !f.command ? 80 : 0 }),
  },
  {
    name: 'no-min-turnaround',
    bug: 'turns the line around at once: no minimum turnaround (10 ms before negotiation, and the negotiated one), no XBOFs before its contention frames',
    plant: () => ({ minTurnaround: () => 0, timing: { contentionMinTurnaroundMs: 0, contentionXbofs: 0 } }),
  },
]

const CONNECTION: Mutant[] = [
  frames('ua-addresses-unswapped', 'sends UA with the SNRM\'s addresses as they came, not swapped', {
    out: f => is(f, 'UA') && f.info !== undefined ? { ...f, info: { ...f.info, source: f.info.destination, destination: f.info.source } } : f,
  }),
  frames('ua-no-9600', 'leaves 9600 b/s out of UA when higher speeds are common (every station must keep it)', {
    out: f => is(f, 'UA') && f.info?.qos !== undefined && (f.info.qos.baudRate & ~0x02) !== 0 ? { ...f, info: { ...f.info, qos: { ...f.info.qos, baudRate: f.info.qos.baudRate & ~0x02 } } } : f,
  }),
  {
    name: 'no-default-speed',
    bug: 'answers a SNRM that offers no speed with a UA that offers none either (9600 is every station\'s default)',
    plant: () => {
      let offered = 0x02
      return {
        in: (f, raw) => {
          if (is(f, 'SNRM') && f.info?.qos !== undefined) offered = f.info.qosQuirks?.some(q => q.pi === 0x01 && q.kind === 'null-pv') === true ? 0 : f.info.qos.baudRate
          return f ?? raw
        },
        out: f => is(f, 'UA') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, baudRate: f.info.qos.baudRate & offered } } } : f,
      }
    },
  },
  frames('rr-without-f', 'answers a poll with RR but leaves F clear', {
    out: f => is(f, 'RR') && !f.command ? { ...f, pf: false } : f,
  }),
  {
    name: 'refuse-wide-baud',
    bug: 'refuses (ignores) a SNRM whose baud rate comes in a 2-byte PV (reads PL 1 only)',
    plant: () => ({ in: (f, raw) => is(f, 'SNRM') && f.info !== undefined && paramLength(raw, 0x01) === 2 ? undefined : f ?? raw }),
  },
  frames('refuse-unknown-pi', 'refuses (ignores) a SNRM that carries a parameter it does not know', {
    in: f => is(f, 'SNRM') && (f.info?.unknownParams?.length ?? 0) > 0 ? undefined : f,
  }),
  {
    name: 'dm-without-link',
    bug: 'answers DM to every frame with P/F on a connection address it has no link on (HDLC\'s disconnected mode, where IrLAP\'s NDM stays silent)',
    plant: io => {
      const live = new Set<number>()
      const quiet = new Set<LapFrame['kind']>(['XID', 'TEST', 'SNRM', 'DISC'])
      return {
        in: (f, raw) => {
          if (f === undefined) return raw
          if (is(f, 'DISC') || is(f, 'DM')) live.delete(f.caddr)
          if (f.pf && !quiet.has(f.kind) && !live.has(f.caddr)) io.reply({ kind: 'DM', caddr: f.caddr, command: false, pf: true })
          return f
        },
        out: f => {
          if (is(f, 'UA') && f.info !== undefined) live.add(f.caddr)
          if (is(f, 'SNRM') && f.info !== undefined) live.add(f.info.connAddr)
          if (is(f, 'DM') || is(f, 'RD')) live.delete(f.caddr)
          return f
        },
      }
    },
  },
  {
    name: 'snrm-any-destination',
    bug: 'answers a SNRM addressed to another device',
    plant: () => {
      let own: number | undefined
      return {
        out: f => { if ((is(f, 'XID') || is(f, 'UA')) && f.info !== undefined) own ??= f.info.source; return f },
        in: (f, raw) => is(f, 'SNRM') && f.info !== undefined && own !== undefined && f.info.destination !== own ? { ...f, info: { ...f.info, destination: own } } : f ?? raw,
      }
    },
  },
  {
    name: 'snrm-truncated-wedge',
    bug: 'a SNRM whose parameter list is cut short leaves its connection state stuck for 4 s: no SNRM is answered meanwhile',
    plant: io => {
      let deafUntil = -Infinity
      return {
        in: (f, raw) => {
          // A SNRM command (control 0x83/0x93) that does not decode: its parameter list is broken.
          if (f === undefined && raw.length > 11 && (raw[0] & 0x01) === 1 && (raw[1] & 0xEF) === 0x83 && listCutShort(raw)) deafUntil = io.now() + 4000
          return is(f, 'SNRM') && io.now() < deafUntil ? undefined : f ?? raw
        },
      }
    },
  },
  {
    name: 'bare-snrm',
    bug: 'takes a SNRM without an information field (no addresses) for a connect request with default parameters',
    plant: () => {
      let own: number | undefined
      return {
        out: f => { if ((is(f, 'XID') || is(f, 'UA')) && f.info !== undefined) own ??= f.info.source; return f },
        in: (f, raw) => is(f, 'SNRM') && f.command && f.info === undefined && f.caddr === BROADCAST_CADDR && own !== undefined ? { ...f, info: { source: ORDINARY, destination: own, connAddr: 0x22 } } : f ?? raw,
      }
    },
  },
  frames('ignore-reset', 'ignores a reset SNRM (a SNRM on the link\'s own connection address)', {
    in: f => is(f, 'SNRM') && f.caddr !== BROADCAST_CADDR ? undefined : f,
  }),
  {
    name: 'top-speed-once',
    bug: 'offers its top speed (115200 b/s) on its first link only (a capability table the first link clobbers): later links run slower than both could',
    plant: () => {
      let links = 0
      return { in: (f, raw) => is(f, 'SNRM') && f.info?.qos !== undefined && f.caddr === BROADCAST_CADDR && links++ > 0 ? { ...f, info: { ...f.info, qos: { ...f.info.qos, baudRate: f.info.qos.baudRate & ~0x20 } } } : f ?? raw }
    },
  },
  {
    name: 'first-caddr',
    bug: 'answers polls on the connection address of its first link, not the current one',
    plant: () => {
      let first: number | undefined
      return {
        out: f => {
          if (is(f, 'UA') && f.info !== undefined) { first ??= f.caddr; return f }
          return first !== undefined && (is(f, 'RR') || is(f, 'RNR') || is(f, 'I')) && !f.command ? { ...f, caddr: first } : f
        },
      }
    },
  },
  frames('disc-answered-dm', 'answers DISC (and a reset SNRM) with DM instead of UA', {
    out: f => is(f, 'UA') && f.info === undefined ? { kind: 'DM', caddr: f.caddr, command: false, pf: f.pf } : f,
  }),
  frames('no-dm-in-ndm', 'stays silent to a DISC when it has no link (a repeated DISC, its UA lost)', {
    out: f => is(f, 'DM') ? undefined : f,
  }),
  frames('ignore-link-disconnect', 'ignores the link disconnect time the peer stated (keeps a silent link 40 s)', {
    in: f => is(f, 'SNRM') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, linkDisconnect: 0xFF } } } : f,
  }),
]

/** The negotiated data size a secondary may send: the largest the primary's SNRM allows. */
const dataSizeOf = (bits: number): number => DATA_SIZES[31 - Math.clz32(bits & 0x3F)] ?? 64

const TRANSFER: Mutant[] = [
  frames('ignore-window', 'ignores the window the peer stated (takes 7 frames whatever the SNRM said)', {
    in: f => is(f, 'SNRM') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, windowSize: 0x7F } } } : f,
  }),
  frames('ignore-data-size', 'ignores the data size the peer stated (takes 2048 bytes whatever the SNRM said)', {
    in: f => is(f, 'SNRM') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, dataSize: 0x3F } } } : f,
  }),
  frames('data-size-step-up', 'reads the data size one table step too large (64 as 128, 256 as 512)', {
    in: f => is(f, 'SNRM') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, dataSize: ((f.info.qos.dataSize << 1) | 1) & 0x3F } } } : f,
  }),
  {
    name: 'full-frame-short',
    bug: 'loses the last byte of an I frame that fills the negotiated data size (a buffer one byte short)',
    plant: () => {
      let size = 64
      return {
        in: (f, raw) => { if (is(f, 'SNRM') && f.info?.qos !== undefined) size = dataSizeOf(f.info.qos.dataSize); return f ?? raw },
        out: f => is(f, 'I') && f.info.length === size ? { ...f, info: f.info.slice(0, -1) } : f,
      }
    },
  },
  frames('nr-ahead', 'acknowledges one frame more than it received (N(R) one ahead, in RR and I frames alike)', {
    out: f => 'nr' in f && !f.command ? { ...f, nr: (f.nr + 1) % 8 } : f,
  }),
  frames('stale-nr', 'acknowledges one frame less than it received (a stale N(R), in RR and I frames alike)', {
    out: f => 'nr' in f && !f.command ? { ...f, nr: (f.nr + 7) % 8 } : f,
  }),
  {
    name: 'no-ns-check',
    bug: 'does not check N(S): takes every I frame as the next one (out of sequence and repeated frames too)',
    plant: () => {
      let vr = 0
      return {
        in: (f, raw) => {
          if (!is(f, 'I') || !f.command) return f ?? raw
          const g = { ...f, ns: vr }
          vr = (vr + 1) % 8
          return g
        },
        out: f => {
          if (is(f, 'UA')) vr = 0
          else if ((is(f, 'RR') || is(f, 'RNR') || is(f, 'I') || is(f, 'REJ') || is(f, 'SREJ')) && !f.command) vr = f.nr
          return f
        },
      }
    },
  },
  frames('unpolled-i-ignored', 'drops I frames that carry no P (takes data only from a poll)', {
    in: f => is(f, 'I') && f.command && !f.pf ? { kind: 'RR', caddr: f.caddr, command: true, pf: false, nr: f.nr } : f,
  }),
  frames('i-twice', 'sends every I frame twice', {
    out: f => is(f, 'I') ? [{ ...f, pf: false }, f] : f,
  }),
  {
    name: 'rr-acks-all',
    bug: 'takes an RR that leaves its last I frame unacknowledged as acknowledging it (never retransmits on RR)',
    plant: () => {
      let next: number | undefined
      return {
        out: f => { if (is(f, 'UA')) next = undefined; else if (is(f, 'I') && !f.command) next = (f.ns + 1) % 8; return f },
        in: (f, raw) => is(f, 'RR') && f.command && next !== undefined && f.nr === (next + 7) % 8 ? { ...f, nr: next } : f ?? raw,
      }
    },
  },
  frames('answers-unpolled', 'answers an RR command that carries no P (takes every RR for a poll)', {
    in: f => is(f, 'RR') && f.command && !f.pf ? { ...f, pf: true } : f,
  }),
  frames('ignore-rnr', 'takes RNR for RR: sends data while the peer is busy', {
    in: f => is(f, 'RNR') && f.command ? { ...f, kind: 'RR' } : f,
  }),
  frames('ignore-rej', 'ignores REJ and SREJ commands (no retransmission, no answer to their poll)', {
    in: f => (is(f, 'REJ') || is(f, 'SREJ')) && f.command ? undefined : f,
  }),
  frames('ignore-ui', 'ignores UI frames altogether (connectionless data, the polls they carry, the traffic they are)', {
    in: f => is(f, 'UI') ? undefined : f,
  }),
  frames('no-frmr', 'never sends FRMR (accepts a bad N(R) or an undefined command in silence)', {
    out: f => is(f, 'FRMR') ? undefined : f,
  }),
  frames('no-test', 'does not answer TEST commands', {
    out: f => is(f, 'TEST') ? undefined : f,
  }),
  frames('test-without-p', 'answers TEST commands that carry no P', {
    in: f => is(f, 'TEST') && f.command && !f.pf ? { ...f, pf: true } : f,
  }),
  {
    name: 'late-answer',
    bug: 'holds every poll 520 ms before it answers (longer than the 500 ms maximum turnaround)',
    plant: () => {
      let polled = false
      return {
        in: (f, raw) => { if (f !== undefined && f.command && f.pf && f.caddr !== BROADCAST_CADDR) polled = true; return f ?? raw },
        // The first frame of its answer (RR, RNR or data), not UA or FRMR: the link must stay judgeable.
        delay: f => { if (!polled || !(is(f, 'RR') || is(f, 'RNR') || is(f, 'I'))) return 0; polled = false; return 520 },
      }
    },
  },
]

const PRIMARY: Mutant[] = [
  timing('short-slot', 'its discovery slot timer is 1 ms (IrLAP asks at least 25 ms)', { slotMs: 1 }),
  timing('short-media-sense', 'listens only 100 ms for traffic before its discovery (IrLAP asks 500 ms)', { mediaBusyMs: 100 }),
  timing('no-snrm-retry', 'sends SNRM once and gives up (N3 = 1)', { connectTries: 1 }),
  frames('final-xid-no-info', 'sends its final discovery XID without discovery info', {
    out: f => is(f, 'XID') && f.command && f.info.slot === 0xFF ? { ...f, info: { ...f.info, discoveryInfo: undefined } } as LapFrame : f,
  }),
  frames('drop-reply-info', 'drops the discovery info (hints, nickname) of the XID replies it gets', {
    in: f => is(f, 'XID') && !f.command ? { ...f, info: { ...f.info, discoveryInfo: undefined } } as LapFrame : f,
  }),
  frames('snrm-no-9600', 'leaves 9600 b/s out of the speeds its SNRM offers', {
    out: f => is(f, 'SNRM') && f.info?.qos !== undefined ? { ...f, info: { ...f.info, qos: { ...f.info.qos, baudRate: f.info.qos.baudRate & ~0x02 } } } : f,
  }),
  frames('ignore-dm', 'ignores DM: a refused SNRM is sent again', {
    in: f => is(f, 'DM') ? undefined : f,
  }),
]

export const LAP_MUTANTS: readonly Mutant[] = [...DISCOVERY, ...CONNECTION, ...TRANSFER, ...PRIMARY]

/**
 * A device that answers XID commands addressed to it (or to everyone) beyond its one discovery
 * reply: again its last reply, in the slot `slotFor` gives, where it gives one.
 */
function extraXidReplies (name: string, bug: string, slotFor: (cmd: Of<'XID'>) => number | undefined): Mutant {
  return {
    name,
    bug,
    plant: io => {
      let last: Of<'XID'> | undefined
      return {
        out: f => { if (is(f, 'XID') && !f.command) last = f; return f },
        in: (f, raw) => {
          if (last === undefined || !is(f, 'XID') || !f.command) return f ?? raw
          if (f.info.destination !== BROADCAST_DEVICE && f.info.destination !== last.info.source) return f
          const slot = slotFor(f)
          if (slot !== undefined) io.reply({ ...last, info: { ...last.info, destination: f.info.source, slots: f.info.slots, slot } })
          return f
        },
      }
    },
  }
}
