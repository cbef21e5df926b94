/*!
 * TEST and FRMR information fields.
 *
 * TEST (IrLAP 1.1 section 6.10): in NDM (broadcast connection address) the information field
 * starts with source and destination device addresses, then the echo data; in NRM (a real
 * connection address) it is echo data only. Linux applies the same rule (`irlap_send_test_frame`).
 *
 * FRMR (IrLAP 1.1 section 6.2.5.x, HDLC layout), 3 bytes:
 *   byte 0: the rejected control field;
 *   byte 1: bit 0 = 0, bits 3..1 = V(S), bit 4 = C/R (1 if the rejected frame was a response), bits 7..5 = V(R);
 *   byte 2: bit 0 = W, bit 1 = X, bit 2 = Y, bit 3 = Z, bits 7..4 = 0.
 * Linux' `irlap_recv_frmr_frame` reads the flags one byte early; we follow the spec.
 */
import { ok, type Decoded } from '@irdakit/core'
import { BROADCAST_CADDR, type TestInfo, type FrmrInfo } from '../frame.js'
import { AddressPairRepr, ADDR_FIELD } from './addresses.js'
import { TruncatedFrameError, InvalidReprError, failWith } from './errors.js'
import { isIntIn } from './bytes.js'

/** True if a TEST frame with this connection address carries device addresses. */
export const testHasAddresses = (caddr: number): boolean => caddr === BROADCAST_CADDR

export const TestInfoRepr = {
  parse (info: Uint8Array, caddr: number): Decoded<TestInfo> {
    if (!testHasAddresses(caddr)) return ok({ data: info.slice() })
    const addrs = AddressPairRepr.parse(info, 'TEST information (NDM)')
    if (!addrs.ok) return addrs
    return ok({ ...addrs.value, data: info.slice(ADDR_FIELD.END) })
  },
  bufferLen: (r: TestInfo, caddr: number): number => (testHasAddresses(caddr) ? ADDR_FIELD.END : 0) + r.data.length,
  emit (r: TestInfo, caddr: number, out: Uint8Array): void {
    if (!testHasAddresses(caddr)) {
      if (r.source !== undefined || r.destination !== undefined) throw new InvalidReprError('TEST in NRM carries no device addresses')
      out.set(r.data)
      return
    }
    if (r.source === undefined || r.destination === undefined) throw new InvalidReprError('TEST in NDM (broadcast address) needs source and destination')
    AddressPairRepr.emit({ source: r.source, destination: r.destination }, out)
    out.set(r.data, ADDR_FIELD.END)
  },
}

export const FRMR_FIELD = { REJECTED_CONTROL: 0, STATE: 1, FLAGS: 2, END: 3 } as const
const FRMR_CR = 0x10
const FRMR_FLAG = { W: 0x01, X: 0x02, Y: 0x04, Z: 0x08 } as const

export const FrmrInfoRepr = {
  /** Parses the 3-byte FRMR field; extra trailing bytes are tolerated and ignored. */
  parse (info: Uint8Array): Decoded<FrmrInfo> {
    if (info.length < FRMR_FIELD.END) return failWith(new TruncatedFrameError('FRMR information', FRMR_FIELD.END, info.length))
    const state = info[FRMR_FIELD.STATE]
    const flags = info[FRMR_FIELD.FLAGS]
    return ok({
      rejectedControl: info[FRMR_FIELD.REJECTED_CONTROL],
      vs: (state >> 1) & 0x07,
      vr: (state >> 5) & 0x07,
      rejectedCommand: (state & FRMR_CR) === 0,
      w: (flags & FRMR_FLAG.W) !== 0,
      x: (flags & FRMR_FLAG.X) !== 0,
      y: (flags & FRMR_FLAG.Y) !== 0,
      z: (flags & FRMR_FLAG.Z) !== 0,
    })
  },
  bufferLen: (): number => FRMR_FIELD.END,
  emit (r: FrmrInfo, out: Uint8Array): void {
    if (!isIntIn(r.rejectedControl, 0, 0xFF)) throw new InvalidReprError(`FRMR rejected control ${r.rejectedControl} is not a byte`)
    if (!isIntIn(r.vs, 0, 7) || !isIntIn(r.vr, 0, 7)) throw new InvalidReprError('FRMR V(S)/V(R) must be 0..7')
    out[FRMR_FIELD.REJECTED_CONTROL] = r.rejectedControl
    out[FRMR_FIELD.STATE] = (r.vr << 5) | (r.rejectedCommand ? 0 : FRMR_CR) | (r.vs << 1)
    out[FRMR_FIELD.FLAGS] = (r.w ? FRMR_FLAG.W : 0) | (r.x ? FRMR_FLAG.X : 0) | (r.y ? FRMR_FLAG.Y : 0) | (r.z ? FRMR_FLAG.Z : 0)
  },
}
