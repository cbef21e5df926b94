/*!
 * IrLMP, IAS and TinyTP mutants: LM-MUX PDUs rewritten inside the I frames our stack sends and
 * receives. Selectors are the device's own (0x00 is IAS): `dl`/`sl` of a PDU from the tester
 * are the device's and the tester's selectors, of a PDU from the device the other way round.
 */
import { BROADCAST_CADDR, type LapFrame } from '@irdakit/lap'
import type { Mutant, Planted } from './types.js'

type I = LapFrame & { kind: 'I' }
type Lm = Uint8Array
const isI = (f: LapFrame | undefined): f is I => f?.kind === 'I'
const isCtl = (lm: Lm): boolean => lm.length >= 3 && (lm[0] & 0x80) !== 0
const dl = (lm: Lm): number => lm[0] & 0x7F
const sl = (lm: Lm): number => lm[1] & 0x7F
const opOf = (lm: Lm): number | undefined => isCtl(lm) ? lm[2] : undefined
const CONNECT = 0x01
const CONFIRM = 0x81
const DISCONNECT = 0x02
/** Connect user data (after the opcode and the reserved byte). */
const userData = (lm: Lm): Lm => lm.subarray(4)
/** A copy with the device's selector changed (byte 0 of a PDU from the tester). */
const toSel = (lm: Lm, sel: number): Lm => { const c = lm.slice(); c[0] = (c[0] & 0x80) | sel; return c }
/** A control PDU turned into a data PDU for the same pair: the peer sees nothing it waits for. */
const muffle = (lm: Lm): Lm => { const c = lm.slice(); c[0] &= 0x7F; return c }
/** A reserved selector our stack ignores: a PDU sent there goes nowhere, unanswered. */
const NOWHERE = 0x71
/** A selector nobody listens on: a connect there is refused. */
const UNUSED = 0x6E

/** Hooks on the LM-MUX PDUs of I frames: `fromTester` before the stack sees one, `fromDevice` before it leaves. A SNRM starts a new link (`onLink`). */
function lm (hooks: { fromTester?: (lm: Lm) => Lm, fromDevice?: (lm: Lm) => Lm, onLink?: () => void }): Planted {
  return {
    in: (f, raw) => {
      if (f?.kind === 'SNRM' && f.caddr === BROADCAST_CADDR) hooks.onLink?.()
      if (!isI(f) || !f.command || hooks.fromTester === undefined) return f ?? raw
      const info = hooks.fromTester(f.info)
      return info === f.info ? f : { ...f, info }
    },
    out: f => {
      if (!isI(f) || f.command || hooks.fromDevice === undefined) return f
      const info = hooks.fromDevice(f.info)
      return info === f.info ? f : { ...f, info }
    },
  }
}
const mutant = (name: string, bug: string, plant: () => Planted): Mutant => ({ name, bug, plant })

/** The IAS request in progress on each IAS connection (keyed by the tester's selector). */
class IasRequests {
  readonly attribute = new Map<number, string>()
  readonly className = new Map<number, string>()
  take (lm: Lm): void {
    if (isCtl(lm) || dl(lm) !== 0 || lm.length < 4 || (lm[2] & 0x3F) !== 0x04) return
    const n = parseNames(lm.subarray(3))
    if (n === undefined) return
    this.className.set(sl(lm), n.className)
    this.attribute.set(sl(lm), n.attribute)
  }
}
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b)
function parseNames (body: Uint8Array): { className: string, attribute: string } | undefined {
  const cl = body[0]
  if (cl === undefined || body.length < 2 + cl) return undefined
  const al = body[1 + cl]
  if (body.length < 2 + cl + al) return undefined
  return { className: latin1(body.subarray(1, 1 + cl)), attribute: latin1(body.subarray(2 + cl, 2 + cl + al)) }
}
/** A GetValueByClass response frame from IAS with Lst and return code 0, to the tester's selector. */
const iasSuccess = (lm: Lm): boolean => !isCtl(lm) && sl(lm) === 0 && lm.length >= 6 && (lm[2] & 0xC0) === 0x80 && (lm[2] & 0x3F) === 0x04 && lm[3] === 0

/** IAS stops answering once `trigger` sees a PDU it cannot take, until the next link. */
function wedge (name: string, bug: string, trigger: (lm: Lm, state: Map<string, number>) => boolean, watch?: (lm: Lm, state: Map<string, number>) => void): Mutant {
  return mutant(name, bug, () => {
    let wedged = false
    const state = new Map<string, number>()
    return lm({
      onLink: () => { wedged = false; state.clear() },
      fromTester: p => {
        if (!wedged && trigger(p, state)) wedged = true
        return wedged && p.length >= 2 && dl(p) === 0 ? toSel(p, NOWHERE) : p
      },
      fromDevice: p => { watch?.(p, state); return p },
    })
  })
}
const KNOWN_OPCODES = new Set([0x01, 0x81, 0x02, 0x03, 0x83])
const pair = (device: number, tester: number): string => `${device}:${tester}`

const LMP: Mutant[] = [
  mutant('confirm-unswapped', 'confirms an LM connect with the selectors as they came, not swapped', () => lm({
    fromDevice: p => { if (opOf(p) !== CONFIRM) return p; const c = p.slice(); c[0] = 0x80 | sl(p); c[1] = dl(p); return c },
  })),
  mutant('silent-refusal', 'drops an LM connect it cannot take instead of answering it with a disconnect', () => {
    const pending = new Set<string>()
    return lm({
      fromTester: p => { if (opOf(p) === CONNECT) pending.add(pair(dl(p), sl(p))); return p },
      fromDevice: p => {
        const k = pair(sl(p), dl(p))
        if (opOf(p) === CONFIRM) pending.delete(k)
        if (opOf(p) !== DISCONNECT || !pending.has(k)) return p
        pending.delete(k)
        return muffle(p)
      },
    })
  }),
  mutant('wrong-disconnect-reason', 'gives reason 0x01 (user request) where 0x06 (data on a disconnected LSAP) is due', () => lm({
    fromDevice: p => { if (opOf(p) !== DISCONNECT || p[3] !== 0x06) return p; const c = p.slice(); c[3] = 0x01; return c },
  })),
  mutant('no-pair-reuse', 'never takes a connect again on a selector pair that was disconnected (on the same link)', () => {
    const closed = new Set<string>()
    return lm({
      onLink: () => { closed.clear() },
      fromTester: p => {
        if (opOf(p) === DISCONNECT) closed.add(pair(dl(p), sl(p)))
        return opOf(p) === CONNECT && closed.has(pair(dl(p), sl(p))) ? toSel(p, NOWHERE) : p
      },
    })
  }),
  mutant('no-access-mode', 'ignores access mode requests (no access mode confirm)', () => lm({
    fromDevice: p => opOf(p) === 0x83 ? muffle(p) : p,
  })),
  mutant('reserved-selectors', 'takes connects to the reserved selectors 0x71-0x7e (as IAS) and from the connectionless selector 0x70', () => {
    const toReserved = new Map<number, number>()
    const fromConnectionless = new Set<number>()
    return lm({
      fromTester: p => {
        if (opOf(p) !== CONNECT) return p
        if (dl(p) >= 0x71 && dl(p) <= 0x7E) { toReserved.set(sl(p), dl(p)); return toSel(p, 0x00) }
        if (sl(p) === 0x70) { fromConnectionless.add(dl(p)); const c = p.slice(); c[1] = 0x6F; return c }
        return p
      },
      fromDevice: p => {
        if (opOf(p) !== CONFIRM) return p
        const c = p.slice()
        const was = toReserved.get(dl(p))
        if (was !== undefined && sl(p) === 0) { toReserved.delete(dl(p)); c[1] = was; return c }
        if (dl(p) === 0x6F && fromConnectionless.delete(sl(p))) { c[0] = 0x80 | 0x70; return c }
        return p
      },
    })
  }),
  mutant('client-selector-range', 'refuses connects from the lowest and highest client selectors, 0x01 and 0x6f (a range check off by one)', () => lm({
    fromTester: p => opOf(p) === CONNECT && (sl(p) === 0x01 || sl(p) === 0x6F) ? toSel(p, UNUSED) : p,
  })),
  mutant('connect-data-59', 'refuses an LM connect carrying 60 bytes of user data (takes at most 59)', () => lm({
    fromTester: p => opOf(p) === CONNECT && userData(p).length >= 60 ? toSel(p, UNUSED) : p,
  })),
  wedge('lm-malformed-wedge', 'a malformed LM-MUX PDU (shorter than its header, or an unknown opcode) leaves IAS deaf until the link is reset',
    p => p.length < 2 || (isCtl(p) && !KNOWN_OPCODES.has(p[2]))),
  wedge('lm-stray-wedge', 'a control PDU for no connection (a disconnect, a connect confirm or an access mode confirm nobody asked for) leaves IAS deaf until the link is reset',
    (p, st) => {
      const k = pair(dl(p), sl(p))
      if (opOf(p) === CONNECT) st.set(k, 1)
      if (opOf(p) === DISCONNECT) { const had = st.has(k); st.delete(k); return !had }
      return opOf(p) === CONFIRM || opOf(p) === 0x83
    },
    (p, st) => { if (opOf(p) === DISCONNECT) st.delete(pair(sl(p), dl(p))) }),
]

const IAS: Mutant[] = [
  wedge('iap-malformed-wedge', 'a malformed IAP frame (empty, a stray Ack, a name running past the frame, an empty name) leaves IAS deaf until the link is reset',
    (p, st) => {
      // Frames on an IAS connection only (data sent to IAS without one is another case's matter).
      if (isCtl(p) || p.length < 2 || dl(p) !== 0 || !st.has(`ias:${sl(p)}`)) return false
      if (p.length === 2) return true
      if ((p[2] & 0x40) !== 0) { const awaited = st.get('ack') === 1; st.delete('ack'); return !awaited }
      // Only a request that came whole is judged; the last frame of a split one holds its tail.
      if ((p[2] & 0x80) === 0) { st.set('split', 1); return false }
      if (st.delete('split') || (p[2] & 0x3F) !== 0x04) return false
      const n = parseNames(p.subarray(3))
      return n === undefined || n.attribute === '' || n.className === ''
    },
    (p, st) => {
      if (opOf(p) === CONFIRM && sl(p) === 0) st.set(`ias:${dl(p)}`, 1)
      if (opOf(p) === DISCONNECT && sl(p) === 0) st.delete(`ias:${dl(p)}`)
      if (!isCtl(p) && sl(p) === 0 && p.length >= 3 && (p[2] & 0xC0) === 0) st.set('ack', 1)
    }),
  mutant('ias-no-devicename', 'answers Device DeviceName with success and an empty list', () => {
    const req = new IasRequests()
    return lm({
      fromTester: p => { req.take(p); return p },
      fromDevice: p => iasSuccess(p) && req.attribute.get(dl(p)) === 'DeviceName' ? Uint8Array.of(p[0], p[1], p[2], 0, 0, 0) : p,
    })
  }),
  mutant('ias-lmpsupport-short', 'answers Device IrLMPSupport with 2 octets (the LM-MUX support byte left out)', () => {
    const req = new IasRequests()
    return lm({
      fromTester: p => { req.take(p); return p },
      fromDevice: p => {
        if (!iasSuccess(p) || req.attribute.get(dl(p)) !== 'IrLMPSupport' || p[8] !== 0x02 || p.length < 12) return p
        const c = p.slice(0, -1)
        const n = ((c[9] << 8) | c[10]) - 1
        c[9] = n >> 8; c[10] = n & 0xFF
        return c
      },
    })
  }),
  mutant('lsapsel-high-byte', 'publishes IrDA:TinyTP:LsapSel with garbage in the integer\'s top byte (0x01 instead of 0x00)', () => {
    const req = new IasRequests()
    return lm({
      fromTester: p => { req.take(p); return p },
      fromDevice: p => { if (!iasSuccess(p) || req.attribute.get(dl(p)) !== 'IrDA:TinyTP:LsapSel' || p[8] !== 0x01) return p; const c = p.slice(); c[9] = 0x01; return c },
    })
  }),
  mutant('ias-ignores-case', 'compares IAS class and attribute names without regard to case', () => lm({
    fromTester: p => {
      if (isCtl(p) || p.length < 4 || dl(p) !== 0 || (p[2] & 0xBF) !== 0x84) return p
      const n = parseNames(p.subarray(3))
      if (n === undefined) return p
      const fix = (s: string, right: string[]): string => right.find(r => r.toLowerCase() === s.toLowerCase()) ?? s
      const cls = fix(n.className, ['Device'])
      const attr = fix(n.attribute, ['DeviceName', 'IrLMPSupport'])
      if (cls === n.className && attr === n.attribute) return p
      return Uint8Array.from([p[0], p[1], p[2], cls.length, ...Buffer.from(cls, 'latin1'), attr.length, ...Buffer.from(attr, 'latin1')])
    },
  })),
  mutant('wrong-ias-code', 'returns No Such Attribute where No Such Class is due and the other way round', () => lm({
    fromDevice: p => {
      if (isCtl(p) || p.length < 4 || sl(p) !== 0 || (p[2] & 0x3F) !== 0x04 || (p[2] & 0x80) === 0) return p
      const c = p.slice()
      c[3] = p[3] === 1 ? 2 : p[3] === 2 ? 1 : p[3]
      return c
    },
  })),
  mutant('iap-no-ack', 'never acknowledges an IAP request frame without Lst (sends an empty frame instead of the Ack)', () => lm({
    fromDevice: p => !isCtl(p) && sl(p) === 0 && p.length >= 3 && (p[2] & 0x40) !== 0 ? p.slice(0, 2) : p,
  })),
  mutant('iap-lst-always', 'sets Lst on every IAP frame of a response, the first of several too', () => lm({
    fromDevice: p => { if (isCtl(p) || sl(p) !== 0 || p.length < 3 || (p[2] & 0x40) !== 0) return p; const c = p.slice(); c[2] |= 0x80; return c },
  })),
  mutant('iap-unsupported-code', 'answers an operation it does not support with No Such Class (1) instead of Unsupported (0xff)', () => lm({
    fromDevice: p => { if (isCtl(p) || sl(p) !== 0 || p.length < 4 || (p[2] & 0x3F) === 0x04 || p[3] !== 0xFF) return p; const c = p.slice(); c[3] = 0x01; return c },
  })),
  mutant('ias-object-id-varies', 'gives an object a new identifier in every answer', () => {
    let n = 0
    return lm({
      fromDevice: p => { if (!iasSuccess(p) || p.length < 8 || ((p[4] << 8) | p[5]) === 0) return p; const c = p.slice(); const id = (((c[6] << 8) | c[7]) + ++n) & 0xFFFF; c[6] = id >> 8; c[7] = id & 0xFF; return c },
    })
  }),
]

/** TinyTP data PDUs on a connection of the device (not IAS); `data` is the TinyTP PDU. */
const ttpData = (p: Lm): boolean => !isCtl(p) && p.length >= 3

const TTP: Mutant[] = [
  mutant('exceed-credit', 'takes more TinyTP credit than the peer granted (reads every granted credit as 20)', () => lm({
    fromTester: p => { if (opOf(p) !== CONNECT || p.length < 5 || dl(p) === 0) return p; const c = p.slice(); c[4] = (c[4] & 0x80) | 20; return c },
  })),
  mutant('ttp-no-initial-credit', 'grants no initial credit in its TinyTP connect PDU (and so none ever)', () => lm({
    fromDevice: p => { if (opOf(p) !== CONFIRM || p.length < 5 || sl(p) === 0) return p; const c = p.slice(); c[4] &= 0x80; return c },
  })),
  mutant('ttp-no-credit-return', 'never returns TinyTP credit as it consumes data', () => lm({
    fromDevice: p => { if (!ttpData(p) || sl(p) === 0) return p; const c = p.slice(); c[2] &= 0x80; return c },
  })),
  mutant('ttp-credit-overflow', 'a credit grant that takes its TinyTP send credit past 127 corrupts the connection: its data goes out to a wrong selector', () => {
    const broken = new Set<string>()
    return lm({
      onLink: () => { broken.clear() },
      fromTester: p => { if (ttpData(p) && dl(p) !== 0 && (p[2] & 0x7F) === 127) broken.add(pair(dl(p), sl(p))); return p },
      fromDevice: p => ttpData(p) && broken.has(pair(sl(p), dl(p))) ? Uint8Array.from([NOWHERE, ...p.subarray(1)]) : p,
    })
  }),
  mutant('no-sar', 'ignores the TinyTP M bit both ways (no segmentation and reassembly)', () => lm({
    fromTester: p => { if (!ttpData(p) || dl(p) === 0) return p; const c = p.slice(); c[2] &= 0x7F; return c },
    fromDevice: p => { if (!ttpData(p) || sl(p) === 0) return p; const c = p.slice(); c[2] &= 0x7F; return c },
  })),
  mutant('ignore-ttp-params', 'ignores a TinyTP connect that carries parameters (MaxSduSize or any other)', () => lm({
    fromTester: p => opOf(p) === CONNECT && dl(p) !== 0 && (userData(p)[0] ?? 0) >= 0x80 ? toSel(p, NOWHERE) : p,
  })),
  mutant('one-byte-sdu', 'takes a one-byte TinyTP SDU for a credit-only PDU (a header length off by one)', () => lm({
    fromTester: p => ttpData(p) && dl(p) !== 0 && p.length === 4 ? p.slice(0, 3) : p,
  })),
  mutant('disconnect-data-closes', 'a disconnect carrying user data closes the service\'s selector: no connect is taken there until the link is reset', () => {
    const closed = new Set<number>()
    return lm({
      onLink: () => { closed.clear() },
      fromTester: p => {
        if (opOf(p) === DISCONNECT && p.length > 4) closed.add(dl(p))
        return opOf(p) === CONNECT && closed.has(dl(p)) ? toSel(p, NOWHERE) : p
      },
    })
  }),
  mutant('ttp-pair-replaced', 'a second TinyTP connect on a connected selector pair replaces the first connection: its data goes nowhere', () => {
    const connected = new Set<string>()
    const replaced = new Set<string>()
    return lm({
      onLink: () => { connected.clear(); replaced.clear() },
      fromTester: p => {
        const k = pair(dl(p), sl(p))
        if (opOf(p) === CONNECT && connected.has(k)) replaced.add(k)
        if (opOf(p) === DISCONNECT) { connected.delete(k); replaced.delete(k) }
        return !isCtl(p) && p.length >= 2 && replaced.has(k) ? toSel(p, NOWHERE) : p
      },
      fromDevice: p => { if (opOf(p) === CONFIRM) connected.add(pair(sl(p), dl(p))); return p },
    })
  }),
  wedge('ttp-hostile-wedge', 'a TinyTP connect with its parameters cut short or more than 60 bytes of user data, or more data PDUs than its initial credit (the credit it returned forgotten), leaves IAS deaf until the link is reset',
    (p, st) => {
      if (opOf(p) === CONNECT && dl(p) !== 0) {
        const u = userData(p)
        return u.length > 60 || (u.length > 0 && u[0] >= 0x80 && u.length < 2 + (u[1] ?? 0))
      }
      const k = pair(dl(p), sl(p))
      if (!ttpData(p) || dl(p) === 0 || !st.has(k)) return false
      const left = (st.get(k) ?? 0) - (p.length > 3 ? 1 : 0)
      st.set(k, left)
      return left < 0
    },
    (p, st) => { if (opOf(p) === CONFIRM && p.length >= 5 && sl(p) !== 0) st.set(pair(sl(p), dl(p)), p[4] & 0x7F) }),
]

export const UPPER_MUTANTS: readonly Mutant[] = [...LMP, ...IAS, ...TTP]
