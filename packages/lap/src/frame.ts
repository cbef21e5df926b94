/*!
 * IrLAP frame representations (the "Repr" level): validated values, one discriminated union for
 * every frame of IrLAP 1.1 section 5 / 6. Codecs (`parseFrame`, `emitFrame`) live in `wire/`.
 *
 * Address byte: bits 7..1 connection address (0x7F broadcast), bit 0 C/R (1 = command, sent by
 * the primary or by any station in NDM). Control byte: I (bit0 = 0), S (bits 1..0 = 01),
 * U (bits 1..0 = 11); P/F is bit 4; N(S) bits 3..1, N(R) bits 7..5, modulo 8.
 *
 * Frames with the same control code are told apart by C/R: 0x43 is DISC as a command and RD as
 * a response; 0x83 is SNRM as a command and RNRM as a response.
 */

/** The broadcast connection address (7 bits). */
export const BROADCAST_CADDR = 0x7F
/** The broadcast 32-bit device address. */
export const BROADCAST_DEVICE = 0xFFFFFFFF

/** Fields every frame has. */
export interface FrameHeader {
  /** 7-bit connection address, 0x7F = broadcast. */
  caddr: number
  /** C/R bit: true for a command (primary to secondary, and all NDM commands). */
  command: boolean
  /** The P/F bit (poll in a command, final in a response). */
  pf: boolean
}

/** IrLAP negotiation parameters as they travel (IrLAP 6.6): bit fields, one bit per allowed value. */
export interface QosFields {
  /** PI 0x01, 1 or 2 bytes: bit0 2400, bit1 9600, bit2 19200, bit3 38400, bit4 57600, bit5 115200, bit6 576000, bit7 1152000, bit8 4000000 (bit9 16000000). */
  baudRate: number
  /** PI 0x82: bit0 500 ms, bit1 250, bit2 100, bit3 50. */
  maxTurnaround: number
  /** PI 0x83: bit0 64 bytes, bit1 128, bit2 256, bit3 512, bit4 1024, bit5 2048. */
  dataSize: number
  /** PI 0x84: bit n-1 = window of n frames (1..7). */
  windowSize: number
  /** PI 0x85: bit0 48, bit1 24, bit2 12, bit3 5, bit4 3, bit5 2, bit6 1, bit7 0 additional BOFs (at 115200). */
  additionalBofs: number
  /** PI 0x86: bit0 10 ms, bit1 5, bit2 1, bit3 0.5, bit4 0.1, bit5 0.05, bit6 0.01, bit7 0. */
  minTurnaround: number
  /** PI 0x08: bit0 3 s, bit1 8, bit2 12, bit3 16, bit4 20, bit5 25, bit6 30, bit7 40. */
  linkDisconnect: number
}

/** A deviation from IrLAP 6.6 that the QoS decoder tolerated (see `parseQos`). */
export interface QosQuirk {
  pi: number
  kind: 'missing' | 'null-pv' | 'wide-pv' | 'extra-bits' | 'duplicate'
}

/** SNRM information field: who connects to whom, the connection address to use, and our QoS. */
export interface SnrmInfo {
  source: number
  destination: number
  /** The 7-bit connection address the secondary is to use (sent shifted left by one). */
  connAddr: number
  /**
   * The negotiation parameters; absent when the frame carried none (then every parameter takes
   * its default: use `normalizeQos` or `QOS_FALLBACK_BITS`). Missing or null PVs inside a
   * present list are already replaced by their defaults and listed in `qosQuirks`.
   */
  qos?: QosFields
  /** Parameters with PIs we do not know, kept so they can be reported (and ignored). Emitted after the QoS. */
  unknownParams?: Array<{ pi: number, pv: Uint8Array }>
  /** Peer bugs the decoder tolerated in the parameter list (decode only; ignored by emit). */
  qosQuirks?: QosQuirk[]
}

/**
 * UA information field. Answering an SNRM it carries addresses and QoS; answering DISC, Linux
 * sends the addresses only (`qos` absent); a bare UA has no information field at all.
 */
export interface UaInfo {
  source: number
  destination: number
  qos?: QosFields
  unknownParams?: Array<{ pi: number, pv: Uint8Array }>
  qosQuirks?: QosQuirk[]
}

/** XID discovery frame information (IrLAP 6.11 / IrLMP discovery). */
export interface XidInfo {
  /** Format identifier, 0x01 for discovery. */
  format: number
  source: number
  destination: number
  /** Number of slots: 1, 6, 8 or 16 (flags bits 1..0 = 0, 1, 2, 3). */
  slots: 1 | 6 | 8 | 16
  /** Discovery flags bit 2: generate a new device address (address conflict resolution). */
  newAddress: boolean
  /** Slot number, 0..slots-1, or 0xFF for the final slot. */
  slot: number
  /** IrLAP version, 0x00 for IrLAP 1.0/1.1. */
  version: number
  /** Discovery info (hints, charset, nickname); present in XID responses and the final XID command. */
  discoveryInfo?: Uint8Array
}

/** TEST information: addresses (always present in NDM, absent in NRM) and echo data. */
export interface TestInfo {
  source?: number
  destination?: number
  data: Uint8Array
}

/** FRMR information field (IrLAP 5.2.3.x, 3 bytes). */
export interface FrmrInfo {
  /** The control field of the rejected frame. */
  rejectedControl: number
  /** Our V(S) and V(R) when the frame was rejected. */
  vs: number
  vr: number
  /** True if the rejected frame was a command. */
  rejectedCommand: boolean
  /** W: undefined or not implemented control field. */
  w: boolean
  /** X: the frame had an information field it should not have. */
  x: boolean
  /** Y: the information field was longer than the negotiated data size. */
  y: boolean
  /** Z: invalid N(R). */
  z: boolean
}

export type SKind = 'RR' | 'RNR' | 'REJ' | 'SREJ'

export type LapFrame =
  | FrameHeader & { kind: 'I', ns: number, nr: number, info: Uint8Array }
  | FrameHeader & { kind: SKind, nr: number }
  | FrameHeader & { kind: 'SNRM', info?: SnrmInfo }
  | FrameHeader & { kind: 'UA', info?: UaInfo }
  | FrameHeader & { kind: 'DISC' | 'RD' | 'DM' | 'RNRM' }
  | FrameHeader & { kind: 'FRMR', info: FrmrInfo }
  | FrameHeader & { kind: 'UI', info: Uint8Array }
  | FrameHeader & { kind: 'XID', info: XidInfo }
  | FrameHeader & { kind: 'TEST', info: TestInfo }

export type FrameKind = LapFrame['kind']

/** Control field codes (P/F clear), IrLAP 1.1 section 5. */
export const CONTROL = {
  RR: 0x01, RNR: 0x05, REJ: 0x09, SREJ: 0x0D,
  SNRM: 0x83, RNRM: 0x83, DISC: 0x43, RD: 0x43, UA: 0x63, FRMR: 0x87, DM: 0x0F,
  UI: 0x03, XID_CMD: 0x2F, XID_RSP: 0xAF, TEST: 0xE3,
} as const

/** P/F bit in the control field. */
export const PF_BIT = 0x10
