/*!
 * LM-MUX PDUs (IrLMP 1.1 section 4.1). Every IrLMP PDU starts with two bytes:
 *
 *   byte 0: C (bit 7, 1 = control PDU) | DLSAP-SEL (bits 6..0)
 *   byte 1: r (bit 7, reserved 0)      | SLSAP-SEL (bits 6..0)
 *
 * Data PDUs carry user data after the header. Control PDUs add an opcode byte:
 *   0x01 connect        [reserved 0x00] [user data]
 *   0x81 connect confirm [reserved 0x00] [user data]
 *   0x02 disconnect      reason          [user data]
 *   0x03 access mode     reserved 0x00   mode
 *   0x83 access mode cnf status          mode
 * (the reserved byte of connect PDUs is optional on receive: Wireshark and Linux accept
 * connect PDUs that end after the opcode).
 */
import { fail, ok, type Decoded } from '@irdakit/core'

/** Reserved LSAP selectors (IrLMP 1.1 section 3.3). */
export const LSAP = {
  IAS: 0x00,
  /** First and last selector available for allocation to services. */
  FIRST: 0x01,
  LAST: 0x6F,
  /** Connectionless data (IrLMP 1.1 section 3.3.4). */
  CONNECTIONLESS: 0x70,
  /** 0x71-0x7E are reserved. */
  RESERVED_FIRST: 0x71,
  RESERVED_LAST: 0x7E,
  BROADCAST: 0x7F,
} as const

export const OPCODE = {
  CONNECT: 0x01,
  CONNECT_CONFIRM: 0x81,
  DISCONNECT: 0x02,
  ACCESS_MODE: 0x03,
  ACCESS_MODE_CONFIRM: 0x83,
} as const

/** Disconnect reasons (IrLMP 1.1 section 4.1.4). */
export const DisconnectReason = {
  USER_REQUEST: 0x01,
  UNEXPECTED_LAP_DISCONNECT: 0x02,
  LAP_CONNECT_FAILED: 0x03,
  LAP_RESET: 0x04,
  LM_INITIATED: 0x05,
  DATA_ON_DISCONNECTED_LSAP: 0x06,
  NON_RESPONSIVE_CLIENT: 0x07,
  NO_AVAILABLE_CLIENT: 0x08,
  HALF_OPEN: 0x09,
  ILLEGAL_SOURCE_ADDRESS: 0x0A,
  UNSPECIFIED: 0xFF,
} as const
export type DisconnectReasonCode = number

export type AccessMode = 'multiplexed' | 'exclusive'
/** Access mode confirm status (IrLMP 1.1 section 4.1.6). */
export type AccessModeStatus = 'success' | 'failure' | 'unsupported'

interface Selectors { dlsap: number, slsap: number }

export type LmpPdu =
  | Selectors & { kind: 'data', data: Uint8Array }
  | Selectors & { kind: 'connect', userData: Uint8Array }
  | Selectors & { kind: 'connect-confirm', userData: Uint8Array }
  | Selectors & { kind: 'disconnect', reason: DisconnectReasonCode, userData: Uint8Array }
  | Selectors & { kind: 'access-mode', mode: AccessMode }
  | Selectors & { kind: 'access-mode-confirm', status: AccessModeStatus, mode: AccessMode }

const CONTROL_BIT = 0x80
const SEL_MASK = 0x7F
const EMPTY = new Uint8Array(0)

const MODE_CODE: Record<AccessMode, number> = { multiplexed: 0x00, exclusive: 0x01 }
const STATUS_CODE: Record<AccessModeStatus, number> = { success: 0x00, failure: 0x01, unsupported: 0xFF }

function modeOf (b: number): AccessMode | undefined {
  return b === 0x00 ? 'multiplexed' : b === 0x01 ? 'exclusive' : undefined
}

function statusOf (b: number): AccessModeStatus | undefined {
  return b === 0x00 ? 'success' : b === 0x01 ? 'failure' : b === 0xFF ? 'unsupported' : undefined
}

/** Decodes one LM-MUX PDU (the information field of an IrLAP I or UI frame). Never throws. */
export function parseLmpPdu (bytes: Uint8Array): Decoded<LmpPdu> {
  if (bytes.length < 2) return fail(`LM-MUX PDU of ${bytes.length} bytes is shorter than its 2-byte header`)
  const control = (bytes[0] & CONTROL_BIT) !== 0
  const dlsap = bytes[0] & SEL_MASK
  const slsap = bytes[1] & SEL_MASK
  if (!control) return ok({ kind: 'data', dlsap, slsap, data: bytes.subarray(2) })
  if (bytes.length < 3) return fail('LM-MUX control PDU has no opcode')
  const opcode = bytes[2]
  switch (opcode) {
    case OPCODE.CONNECT:
    case OPCODE.CONNECT_CONFIRM: {
      // Byte 3 is reserved; user data follows it.
      const userData = bytes.length > 4 ? bytes.subarray(4) : EMPTY
      return ok({ kind: opcode === OPCODE.CONNECT ? 'connect' : 'connect-confirm', dlsap, slsap, userData })
    }
    case OPCODE.DISCONNECT:
      if (bytes.length < 4) return fail('LM-MUX disconnect PDU has no reason byte')
      return ok({ kind: 'disconnect', dlsap, slsap, reason: bytes[3], userData: bytes.subarray(4) })
    case OPCODE.ACCESS_MODE: {
      if (bytes.length < 5) return fail('LM-MUX access mode PDU is shorter than 5 bytes')
      const mode = modeOf(bytes[4])
      if (mode === undefined) return fail(`unknown access mode 0x${hex(bytes[4])}`)
      return ok({ kind: 'access-mode', dlsap, slsap, mode })
    }
    case OPCODE.ACCESS_MODE_CONFIRM: {
      if (bytes.length < 5) return fail('LM-MUX access mode confirm PDU is shorter than 5 bytes')
      const status = statusOf(bytes[3])
      const mode = modeOf(bytes[4])
      if (status === undefined) return fail(`unknown access mode status 0x${hex(bytes[3])}`)
      if (mode === undefined) return fail(`unknown access mode 0x${hex(bytes[4])}`)
      return ok({ kind: 'access-mode-confirm', dlsap, slsap, status, mode })
    }
    default:
      return fail(`unknown LM-MUX opcode 0x${hex(opcode)}`)
  }
}

/** Encodes an LM-MUX PDU. Selectors must be 7-bit values. */
export function emitLmpPdu (pdu: LmpPdu): Uint8Array {
  if (pdu.kind === 'data') {
    // The bulk path: one array, no header list.
    const out = new Uint8Array(2 + pdu.data.length)
    out[0] = pdu.dlsap & SEL_MASK
    out[1] = pdu.slsap & SEL_MASK
    out.set(pdu.data, 2)
    return out
  }
  const head = (control: boolean): number[] => [(control ? CONTROL_BIT : 0) | (pdu.dlsap & SEL_MASK), pdu.slsap & SEL_MASK]
  switch (pdu.kind) {
    case 'connect': return concat([...head(true), OPCODE.CONNECT, 0x00], pdu.userData)
    case 'connect-confirm': return concat([...head(true), OPCODE.CONNECT_CONFIRM, 0x00], pdu.userData)
    case 'disconnect': return concat([...head(true), OPCODE.DISCONNECT, pdu.reason & 0xFF], pdu.userData)
    case 'access-mode': return Uint8Array.from([...head(true), OPCODE.ACCESS_MODE, 0x00, MODE_CODE[pdu.mode]])
    case 'access-mode-confirm':
      return Uint8Array.from([...head(true), OPCODE.ACCESS_MODE_CONFIRM, STATUS_CODE[pdu.status], MODE_CODE[pdu.mode]])
  }
}

/** Bytes of LM-MUX header a PDU of this kind adds before user data. */
export function lmpHeaderLength (kind: LmpPdu['kind']): number {
  switch (kind) {
    case 'data': return 2
    case 'disconnect': return 4
    case 'connect': case 'connect-confirm': return 4
    case 'access-mode': case 'access-mode-confirm': return 5
  }
}

function concat (head: number[], tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + tail.length)
  out.set(head, 0)
  out.set(tail, head.length)
  return out
}

function hex (b: number): string { return b.toString(16).padStart(2, '0') }
