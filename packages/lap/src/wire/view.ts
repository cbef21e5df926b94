/*!
 * A view over the bytes of one IrLAP frame (address + control + information, FCS removed),
 * smoltcp style: an offset table, `checked` refuses buffers too short for the header, and after
 * that no getter reads past the end.
 */
import { ok, type Decoded } from '@irdakit/core'
import { TruncatedFrameError, failWith } from './errors.js'
import { PF_BIT } from '../frame.js'

/** Byte offsets of the IrLAP header (IrLAP 1.1 section 5.2). */
export const FRAME_FIELD = { ADDRESS: 0, CONTROL: 1, INFO: 2 } as const
/** Address and control: the smallest valid frame. */
export const HEADER_LEN = 2
/** The C/R bit of the address byte: 1 = command. */
export const CR_BIT = 0x01

export class FrameView {
  private constructor (readonly buffer: Uint8Array) {}

  /** Wraps a buffer without checking; only for buffers this module sized itself. */
  static unchecked (buffer: Uint8Array): FrameView { return new FrameView(buffer) }

  /** Wraps a received buffer after checking it holds at least an address and a control byte. */
  static checked (buffer: Uint8Array): Decoded<FrameView> {
    if (buffer.length < HEADER_LEN) return failWith(new TruncatedFrameError('IrLAP frame', HEADER_LEN, buffer.length))
    return ok(new FrameView(buffer))
  }

  get address (): number { return this.buffer[FRAME_FIELD.ADDRESS] }
  /** 7-bit connection address. */
  get caddr (): number { return this.buffer[FRAME_FIELD.ADDRESS] >> 1 }
  get command (): boolean { return (this.buffer[FRAME_FIELD.ADDRESS] & CR_BIT) !== 0 }
  get control (): number { return this.buffer[FRAME_FIELD.CONTROL] }
  get pf (): boolean { return (this.buffer[FRAME_FIELD.CONTROL] & PF_BIT) !== 0 }
  /** The information field (a view, not a copy). */
  get info (): Uint8Array { return this.buffer.subarray(FRAME_FIELD.INFO) }

  setAddress (caddr: number, command: boolean): void {
    this.buffer[FRAME_FIELD.ADDRESS] = ((caddr & 0x7F) << 1) | (command ? CR_BIT : 0)
  }

  setControl (control: number): void { this.buffer[FRAME_FIELD.CONTROL] = control }
  /** The writable information field. */
  infoMut (): Uint8Array { return this.buffer.subarray(FRAME_FIELD.INFO) }
}
