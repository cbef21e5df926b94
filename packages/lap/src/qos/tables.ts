/*!
 * The value tables of the IrLAP negotiation parameters (IrLAP 1.1 section 6.6, cross-checked with
 * Linux `qos.c` and Wireshark `packet-irda.c`). Bit n of a parameter's bit field stands for
 * entry n of its table.
 */

/** Parameter identifiers. Bit 7 set = type 1 (each station states its own value). */
export const PI = {
  BAUD_RATE: 0x01,
  MAX_TURNAROUND: 0x82,
  DATA_SIZE: 0x83,
  WINDOW_SIZE: 0x84,
  ADDITIONAL_BOFS: 0x85,
  MIN_TURNAROUND: 0x86,
  LINK_DISCONNECT: 0x08,
} as const

/** Baud rates in bit/s, bit 0 upwards (PI 0x01, PV 1 or 2 bytes; bit 8 = 4 Mb/s, bit 9 = 16 Mb/s VFIR). */
export const BAUD_RATES = [2400, 9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000, 16000000] as const
/** Maximum turnaround times in ms (PI 0x82). */
export const MAX_TURNAROUND_MS = [500, 250, 100, 50] as const
/** Data sizes in bytes (PI 0x83). */
export const DATA_SIZES = [64, 128, 256, 512, 1024, 2048] as const
/** Window sizes in frames (PI 0x84). */
export const WINDOW_SIZES = [1, 2, 3, 4, 5, 6, 7] as const
/** Additional BOFs, counted at 115200 bit/s (PI 0x85). */
export const ADDITIONAL_BOFS = [48, 24, 12, 5, 3, 2, 1, 0] as const
/** Minimum turnaround times in ms (PI 0x86). */
export const MIN_TURNAROUND_MS = [10, 5, 1, 0.5, 0.1, 0.05, 0.01, 0] as const
/** Link disconnect times in ms (PI 0x08). */
export const LINK_DISCONNECT_MS = [3000, 8000, 12000, 16000, 20000, 25000, 30000, 40000] as const

/** The bits a field can meaningfully carry; anything else is ignored on receipt. */
export const VALID_BITS = {
  baudRate: (1 << BAUD_RATES.length) - 1,
  maxTurnaround: (1 << MAX_TURNAROUND_MS.length) - 1,
  dataSize: (1 << DATA_SIZES.length) - 1,
  windowSize: (1 << WINDOW_SIZES.length) - 1,
  additionalBofs: 0xFF,
  minTurnaround: 0xFF,
  linkDisconnect: 0xFF,
} as const

/** Index of the highest set bit, or -1 for 0. */
export function msbIndex (bits: number): number {
  return bits === 0 ? -1 : 31 - Math.clz32(bits)
}

/** Every bit from 0 up to and including `index`: how a station states a type-1 value (and all below it in the table). */
export function bitsUpTo (index: number): number {
  return index < 0 ? 0 : (2 ** (index + 1)) - 1
}

/** Index of `value` in `table`, or -1. */
export function indexOf (table: readonly number[], value: number): number {
  return table.indexOf(value)
}
