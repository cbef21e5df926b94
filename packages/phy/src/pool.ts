/*!
 * Small byte arrays carved out of a shared slab. Allocating a typed array of a few kilobytes
 * costs V8 about a microsecond (a backing store of its own, zeroed, tracked by the GC), more
 * than wrapping or checking the frame it holds; a view into a slab costs a few tens of
 * nanoseconds. Node's `Buffer.allocUnsafe` pools the same way. The price: a view kept alive
 * keeps its slab (32 KiB) alive, so only arrays up to a quarter of a slab come from it.
 */

const SLAB = 32768
const POOLED_MAX = SLAB >>> 2

let slab = new Uint8Array(SLAB)
let used = 0

/** A copy of `src[0..n)` in an array of its own length (`byteOffset` may be non-zero). */
export function pooledCopy (src: Uint8Array, n: number): Uint8Array {
  if (n > POOLED_MAX) return src.slice(0, n)
  const out = pooledBytes(n)
  out.set(n === src.length ? src : src.subarray(0, n))
  return out
}

/** `n` bytes of a slab (8-byte aligned), for a caller that writes every one of them: contents undefined. */
export function pooledBytes (n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n)
  if (used + n > SLAB) { slab = new Uint8Array(SLAB); used = 0 }
  const out = slab.subarray(used, used + n)
  used += (n + 7) & ~7 // keep every view 8-byte aligned for readers that use DataView
  return out
}
