/*!
 * Codec errors. Decoders return these as `{ ok: false, error }`; they are never thrown through
 * the stack. The subclasses carry what a station needs to answer with FRMR (IrLAP 6.2.5.x):
 * W for an unknown control field, X for an information field where none is allowed, Y for an
 * information field longer than negotiated (the station checks Y; the codec cannot know).
 */
import { WireError, LocalProtocolError, type Decoded } from '@irdakit/core'

/** The frame is shorter than its kind requires (also: fewer than the 2 bytes of A and C). */
export class TruncatedFrameError extends WireError {
  static override name = 'TruncatedFrameError'
  constructor (readonly what: string, readonly needed: number, readonly got: number) {
    super(`${what}: needs ${needed} bytes, got ${got}`)
  }
}

/**
 * The control field is not defined by IrLAP 1.1 for this direction (C/R). A secondary answers
 * such a command with FRMR, W bit set.
 */
export class UnknownControlError extends WireError {
  static override name = 'UnknownControlError'
  constructor (readonly control: number, readonly command: boolean) {
    super(`undefined control field 0x${control.toString(16).padStart(2, '0')} in a ${command ? 'command' : 'response'}`)
  }
}

/** The frame carries an information field its kind does not allow (FRMR X bit). */
export class InfoNotAllowedError extends WireError {
  static override name = 'InfoNotAllowedError'
  constructor (readonly control: number, readonly command: boolean, readonly infoLength: number) {
    super(`control 0x${control.toString(16).padStart(2, '0')} allows no information field, got ${infoLength} bytes`)
  }
}

/** A field inside the information field is malformed (bad parameter list, hint chain past the end...). */
export class MalformedFieldError extends WireError {
  static override name = 'MalformedFieldError'
}

/** A Repr handed to an emitter is out of range (caddr > 0x7F, N(R) > 7...): a bug in the caller, so it throws. */
export class InvalidReprError extends LocalProtocolError {
  static override name = 'InvalidReprError'
}

/** Wraps a typed error into a failed `Decoded`. */
export function failWith<T = never> (error: WireError): Decoded<T> {
  return { ok: false, error }
}
