/*!
 * XID discovery information field (IrLAP 1.1 section 6.11, format identifier 0x01):
 *
 *   FI(1) source(4, LE) destination(4, LE) flags(1) slot(1) version(1) discovery-info...
 *
 * Flags bits 1..0 give the slot count (0 = 1, 1 = 6, 2 = 8, 3 = 16), bit 2 asks for a new
 * device address (conflict resolution); other bits are reserved and ignored on receipt. The
 * slot is 0..S-1, or 0xFF in the final command. Discovery info (hints, charset, nickname:
 * IrLMP 1.1 section 3.4.1) follows in responses and in the final command.
 */
import { ok, type Decoded } from '@irdakit/core'
import type { XidInfo } from '../frame.js'
import { readU32le, writeU32le, isIntIn } from './bytes.js'
import { TruncatedFrameError, InvalidReprError, failWith } from './errors.js'
import { checkDeviceAddress } from './addresses.js'

export const XID_FIELD = { FORMAT: 0, SOURCE: 1, DESTINATION: 5, FLAGS: 9, SLOT: 10, VERSION: 11, DISCOVERY_INFO: 12 } as const
/** The only format identifier IrLAP 1.1 defines: discovery. */
export const XID_FORMAT_DISCOVERY = 0x01
/** Slot number of the final XID command, the one that carries the initiator's discovery info. */
export const XID_FINAL_SLOT = 0xFF

export const XID_FLAG = { SLOTS_MASK: 0x03, NEW_ADDRESS: 0x04 } as const
export const XID_SLOT_COUNTS = [1, 6, 8, 16] as const

export const XidInfoRepr = {
  parse (info: Uint8Array): Decoded<XidInfo> {
    if (info.length < XID_FIELD.DISCOVERY_INFO) return failWith(new TruncatedFrameError('XID information', XID_FIELD.DISCOVERY_INFO, info.length))
    const flags = info[XID_FIELD.FLAGS]
    const r: XidInfo = {
      format: info[XID_FIELD.FORMAT],
      source: readU32le(info, XID_FIELD.SOURCE),
      destination: readU32le(info, XID_FIELD.DESTINATION),
      slots: XID_SLOT_COUNTS[flags & XID_FLAG.SLOTS_MASK],
      newAddress: (flags & XID_FLAG.NEW_ADDRESS) !== 0,
      slot: info[XID_FIELD.SLOT],
      version: info[XID_FIELD.VERSION],
    }
    if (info.length > XID_FIELD.DISCOVERY_INFO) r.discoveryInfo = info.slice(XID_FIELD.DISCOVERY_INFO)
    return ok(r)
  },
  bufferLen: (r: XidInfo): number => XID_FIELD.DISCOVERY_INFO + (r.discoveryInfo?.length ?? 0),
  emit (r: XidInfo, out: Uint8Array): void {
    const slotsCode = XID_SLOT_COUNTS.indexOf(r.slots)
    if (slotsCode < 0) throw new InvalidReprError(`XID slot count ${r.slots} is not 1, 6, 8 or 16`)
    for (const [name, v] of [['format', r.format], ['slot', r.slot], ['version', r.version]] as const) {
      if (!isIntIn(v, 0, 0xFF)) throw new InvalidReprError(`XID ${name} ${v} is not a byte`)
    }
    checkDeviceAddress(r.source, 'XID source')
    checkDeviceAddress(r.destination, 'XID destination')
    out[XID_FIELD.FORMAT] = r.format
    writeU32le(out, XID_FIELD.SOURCE, r.source)
    writeU32le(out, XID_FIELD.DESTINATION, r.destination)
    out[XID_FIELD.FLAGS] = slotsCode | (r.newAddress ? XID_FLAG.NEW_ADDRESS : 0)
    out[XID_FIELD.SLOT] = r.slot
    out[XID_FIELD.VERSION] = r.version
    if (r.discoveryInfo !== undefined) out.set(r.discoveryInfo, XID_FIELD.DISCOVERY_INFO)
  },
}
