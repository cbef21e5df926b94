/*!
 * The IrLAP control field (IrLAP 1.1 section 5.2.2): I frames have bit 0 clear, S frames end in
 * binary 01, U frames in 11. P/F is bit 4; N(S) is bits 3..1 and N(R) bits 7..5, modulo 8.
 * U codes are shared between a command and a response (0x43 DISC/RD, 0x83 SNRM/RNRM): the C/R
 * bit of the address field tells them apart.
 */
import { CONTROL, PF_BIT, type FrameKind, type SKind } from '../frame.js'

/** Sequence numbers are modulo 8 (IrLAP uses only the 3-bit form). */
export const MODULUS = 8

/** `n` reduced modulo 8 (also for negative `n`). */
export function mod8 (n: number): number {
  return ((n % MODULUS) + MODULUS) % MODULUS
}

/**
 * True if `n` lies in the half-open window [start, start + size) modulo 8. With start = V(A)
 * (oldest unacknowledged) and size = frames outstanding + 1, this is the N(R) validity test.
 */
export function inWindow (n: number, start: number, size: number): boolean {
  return mod8(n - start) < size
}

export type ControlClass = 'I' | 'S' | 'U'

export function controlClass (control: number): ControlClass {
  if ((control & 0x01) === 0) return 'I'
  return (control & 0x03) === 0x01 ? 'S' : 'U'
}

export const pfOf = (control: number): boolean => (control & PF_BIT) !== 0
export const nrOf = (control: number): number => (control >> 5) & 0x07
export const nsOf = (control: number): number => (control >> 1) & 0x07

const S_BY_CODE: Record<number, SKind> = { [CONTROL.RR]: 'RR', [CONTROL.RNR]: 'RNR', [CONTROL.REJ]: 'REJ', [CONTROL.SREJ]: 'SREJ' }

/** The S frame kind of a control byte whose class is 'S'. Every S code is defined (2 bits). */
export function sKindOf (control: number): SKind {
  return S_BY_CODE[control & 0x0F]
}

type UKind = Exclude<FrameKind, 'I' | SKind>

const U_COMMANDS: Record<number, UKind> = {
  [CONTROL.SNRM]: 'SNRM', [CONTROL.DISC]: 'DISC', [CONTROL.UI]: 'UI', [CONTROL.XID_CMD]: 'XID', [CONTROL.TEST]: 'TEST',
}
const U_RESPONSES: Record<number, UKind> = {
  [CONTROL.RNRM]: 'RNRM', [CONTROL.UA]: 'UA', [CONTROL.FRMR]: 'FRMR', [CONTROL.DM]: 'DM', [CONTROL.RD]: 'RD',
  [CONTROL.UI]: 'UI', [CONTROL.XID_RSP]: 'XID', [CONTROL.TEST]: 'TEST',
}

/** The U frame kind for a control byte and C/R bit, or undefined if IrLAP defines none (FRMR W). */
export function uKindOf (control: number, command: boolean): UKind | undefined {
  const code = control & ~PF_BIT & 0xFF
  return (command ? U_COMMANDS : U_RESPONSES)[code]
}

/** The U control code (P/F clear) for a kind and direction. XID uses 0x2F as a command and 0xAF as a response. */
export function uCodeOf (kind: UKind, command: boolean): number {
  if (kind === 'XID') return command ? CONTROL.XID_CMD : CONTROL.XID_RSP
  return CONTROL[kind]
}

/** Builds an I control byte. */
export const iControl = (ns: number, nr: number, pf: boolean): number => (nr << 5) | (pf ? PF_BIT : 0) | (ns << 1)
/** Builds an S control byte. */
export const sControl = (kind: SKind, nr: number, pf: boolean): number => (nr << 5) | (pf ? PF_BIT : 0) | CONTROL[kind]
/** Builds a U control byte. */
export const uControl = (kind: UKind, command: boolean, pf: boolean): number => uCodeOf(kind, command) | (pf ? PF_BIT : 0)

/** Which kinds may be sent as a command, as a response, or both (IrLAP 5.2.2 tables). */
export function kindAllowed (kind: FrameKind, command: boolean): boolean {
  if (kind === 'I' || kind === 'RR' || kind === 'RNR' || kind === 'REJ' || kind === 'SREJ') return true
  return uKindOf(uCodeOf(kind, command), command) === kind
}
