/*!
 * The arguments a JavaScript caller passes where Winsock's C signature has types. A C caller
 * can only pass an int, a pointer or NULL; a JavaScript caller can pass anything (undefined,
 * null, NaN, 1.5, '3', an object, a frozen object, a BigInt, ...). These checks turn every such
 * value into Winsock's answer instead of an exception or a silent coercion:
 * - a buffer (char *) that is not a Uint8Array, or a length that does not describe bytes inside
 *   it (not an integer, negative, past the end): WSAEFAULT, "not completely contained in a valid
 *   part of the user address space";
 * - an in/out length or ioctl argument (int *, u_long *) that is not an object with a writable
 *   integer `value`: WSAEFAULT, an invalid pointer;
 * - a value parameter (backlog, flags, a command) that is not an integer: WSAEINVAL.
 */
import type { IntRef } from './options.js'
import { WSAEINVAL, WSAEOPNOTSUPP } from './winsock.js'

/** An integer Number (no NaN, no infinity, no fraction, no other type). */
export const isInt = (x: unknown): x is number => Number.isInteger(x)

/** A byte buffer (Buffer is one too). */
export const isBuffer = (x: unknown): x is Uint8Array => x instanceof Uint8Array

/**
 * The byte count `len` describes inside `buf` (buf.length when `len` is undefined), or
 * undefined when it does not describe bytes inside it.
 */
export function byteCount (buf: Uint8Array, len: unknown): number | undefined {
  if (len === undefined) return buf.length
  return isInt(len) && len >= 0 && len <= buf.length ? len : undefined
}

/** The `value` of an in/out reference if it is an own, writable, integer data property; else undefined. */
export function refValue (ref: unknown): number | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined
  let d: PropertyDescriptor | undefined
  try { d = Object.getOwnPropertyDescriptor(ref, 'value') } catch { return undefined } // a hostile Proxy
  return d !== undefined && d.writable === true && isInt(d.value) ? d.value : undefined
}

/** Whether `ref` can take a result: an object with a writable `value`, or room to add one. */
export function canWrite (ref: unknown): ref is IntRef {
  if (typeof ref !== 'object' || ref === null) return false
  try {
    const d = Object.getOwnPropertyDescriptor(ref, 'value')
    return d === undefined ? Object.isExtensible(ref) && !('value' in ref) : d.writable === true
  } catch { return false }
}

/** The size of a buffer given with an optional in/out length: min(buf.length, len.value), or undefined when either is bad. */
export function roomOf (buf: unknown, len: unknown): number | undefined {
  if (!isBuffer(buf)) return undefined
  if (len === undefined) return buf.length
  const v = refValue(len)
  return v === undefined || v < 0 ? undefined : Math.min(buf.length, v)
}

/**
 * 0 when send/recv `flags` are acceptable: an integer (an int in C) whose bits are all in
 * `allowed`; bits in `unsupported` (MSG_OOB, ...) are WSAEOPNOTSUPP, any other bit is an
 * unknown flag, WSAEINVAL.
 */
export function checkFlags (flags: unknown, allowed: number, unsupported: number): number {
  if (!isInt(flags) || flags < -0x80000000 || flags > 0xFFFFFFFF) return WSAEINVAL
  if ((flags & unsupported) !== 0) return WSAEOPNOTSUPP
  return (flags & ~allowed) !== 0 ? WSAEINVAL : 0
}
