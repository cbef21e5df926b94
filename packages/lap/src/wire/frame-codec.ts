/*!
 * Whole-frame codec: `parseFrame` turns the bytes of one IrLAP frame (A + C + I, no FCS) into a
 * {@link LapFrame}; `emitFrame` does the reverse. Parsing never throws: short frames, undefined
 * control fields and information fields where none is allowed come back as typed WireErrors
 * (`TruncatedFrameError`, `UnknownControlError`, `InfoNotAllowedError`, `MalformedFieldError`),
 * so a station can count them and, where IrLAP says so, answer with FRMR.
 * Emitting an out-of-range Repr is a caller bug and throws `InvalidReprError`.
 */
import { ok, type Decoded } from '@irdakit/core'
import { pooledBytes, pooledCopy } from '@irdakit/phy'
import { PF_BIT, type LapFrame, type FrameHeader } from '../frame.js'
import { CR_BIT, FrameView, HEADER_LEN } from './view.js'
import { UnknownControlError, InfoNotAllowedError, InvalidReprError, failWith } from './errors.js'
import { controlClass, nrOf, nsOf, sKindOf, uKindOf, iControl, sControl, uControl, kindAllowed } from './control.js'
import { SnrmInfoRepr, UaInfoRepr } from './snrm-ua.js'
import { XidInfoRepr } from './xid.js'
import { TestInfoRepr, FrmrInfoRepr } from './frmr-testframe.js'
import { isIntIn } from './bytes.js'

export interface ParseOptions {
  /**
   * Give I and UI frames an information field of their own (default). A reader that is done
   * with the frame before its bytes change (a capture decoder) passes false and gets a view
   * into `bytes`, which saves a copy of up to 2 KiB per frame.
   */
  copyInfo?: boolean
}

/** Parses one IrLAP frame. Never throws. */
export function parseFrame (bytes: Uint8Array, opts?: ParseOptions): Decoded<LapFrame> {
  const copy = opts?.copyInfo ?? true
  if (bytes.length < HEADER_LEN) return FrameView.checked(bytes) as Decoded<never>
  // I and S frames (all of bulk transfer) are built as plain literals, not spreads of a header:
  // a spread costs V8 a few microseconds a frame.
  const a = bytes[0]
  const c = bytes[1]
  const caddr = a >> 1
  const command = (a & CR_BIT) !== 0
  const pf = (c & PF_BIT) !== 0
  switch (controlClass(c)) {
    case 'I':
      return ok({ caddr, command, pf, kind: 'I', ns: nsOf(c), nr: nrOf(c), info: copy ? pooledCopy(bytes.subarray(HEADER_LEN), bytes.length - HEADER_LEN) : bytes.subarray(HEADER_LEN) })
    case 'S':
      if (bytes.length > HEADER_LEN) return failWith(new InfoNotAllowedError(c, command, bytes.length - HEADER_LEN))
      return ok({ caddr, command, pf, kind: sKindOf(c), nr: nrOf(c) })
    case 'U':
      return parseU({ caddr, command, pf }, c, bytes.subarray(HEADER_LEN), copy)
  }
}

function parseU (h: FrameHeader, c: number, info: Uint8Array, copy: boolean): Decoded<LapFrame> {
  const kind = uKindOf(c, h.command)
  if (kind === undefined) return failWith(new UnknownControlError(c, h.command))
  switch (kind) {
    case 'DISC': case 'RD': case 'DM': case 'RNRM':
      if (info.length > 0) return failWith(new InfoNotAllowedError(c, h.command, info.length))
      return ok({ ...h, kind })
    case 'SNRM': {
      if (info.length === 0) return ok({ ...h, kind })
      const r = SnrmInfoRepr.parse(info)
      return r.ok ? ok({ ...h, kind, info: r.value }) : r
    }
    case 'UA': {
      if (info.length === 0) return ok({ ...h, kind })
      const r = UaInfoRepr.parse(info)
      return r.ok ? ok({ ...h, kind, info: r.value }) : r
    }
    case 'FRMR': {
      const r = FrmrInfoRepr.parse(info)
      return r.ok ? ok({ ...h, kind, info: r.value }) : r
    }
    case 'XID': {
      const r = XidInfoRepr.parse(info)
      return r.ok ? ok({ ...h, kind, info: r.value }) : r
    }
    case 'TEST': {
      const r = TestInfoRepr.parse(info, h.caddr)
      return r.ok ? ok({ ...h, kind, info: r.value }) : r
    }
    case 'UI':
      return ok({ ...h, kind, info: copy ? pooledCopy(info, info.length) : info })
  }
}

function checkHeader (f: LapFrame): void {
  if (!isIntIn(f.caddr, 0, 0x7F)) throw new InvalidReprError(`connection address ${f.caddr} is not 7 bits`)
  if (!kindAllowed(f.kind, f.command)) throw new InvalidReprError(`${f.kind} cannot be sent as a ${f.command ? 'command' : 'response'}`)
  if ('nr' in f && !isIntIn(f.nr, 0, 7)) throw new InvalidReprError(`N(R) ${f.nr} is not 0..7`)
  if ('ns' in f && !isIntIn(f.ns, 0, 7)) throw new InvalidReprError(`N(S) ${f.ns} is not 0..7`)
}

/** Number of bytes `emitFrame(f)` produces. */
export function frameLen (f: LapFrame): number {
  return HEADER_LEN + infoLen(f)
}

function infoLen (f: LapFrame): number {
  switch (f.kind) {
    case 'I': case 'UI': return f.info.length
    case 'RR': case 'RNR': case 'REJ': case 'SREJ': case 'DISC': case 'RD': case 'DM': case 'RNRM': return 0
    case 'SNRM': return f.info === undefined ? 0 : SnrmInfoRepr.bufferLen(f.info)
    case 'UA': return f.info === undefined ? 0 : UaInfoRepr.bufferLen(f.info)
    case 'FRMR': return FrmrInfoRepr.bufferLen()
    case 'XID': return XidInfoRepr.bufferLen(f.info)
    case 'TEST': return TestInfoRepr.bufferLen(f.info, f.caddr)
  }
}

function controlOf (f: LapFrame): number {
  switch (f.kind) {
    case 'I': return iControl(f.ns, f.nr, f.pf)
    case 'RR': case 'RNR': case 'REJ': case 'SREJ': return sControl(f.kind, f.nr, f.pf)
    default: return uControl(f.kind, f.command, f.pf)
  }
}

/** Emits one IrLAP frame (A + C + I). Throws `InvalidReprError` for out-of-range fields. */
export function emitFrame (f: LapFrame): Uint8Array {
  checkHeader(f)
  // An I or UI frame is written whole (header and info), so a pooled array needs no zeroing;
  // the other kinds may leave reserved bytes as they are and get a zeroed one.
  const buf = f.kind === 'I' || f.kind === 'UI' ? pooledBytes(frameLen(f)) : new Uint8Array(frameLen(f))
  const v = FrameView.unchecked(buf)
  v.setAddress(f.caddr, f.command)
  v.setControl(controlOf(f))
  const out = v.infoMut()
  switch (f.kind) {
    case 'I': case 'UI': out.set(f.info); break
    case 'SNRM': if (f.info !== undefined) SnrmInfoRepr.emit(f.info, out); break
    case 'UA': if (f.info !== undefined) UaInfoRepr.emit(f.info, out); break
    case 'FRMR': FrmrInfoRepr.emit(f.info, out); break
    case 'XID': XidInfoRepr.emit(f.info, out); break
    case 'TEST': TestInfoRepr.emit(f.info, f.caddr, out); break
    default: break
  }
  return buf
}
