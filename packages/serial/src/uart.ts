/*!
 * What a UART receives when the sender runs at another baud rate. A dongle whose speed does not
 * match the host's baud rate does not see "no data": it sees wrong bytes, some with framing
 * errors. This models that honestly: it draws the sender's line waveform (start bit, 8 data bits
 * LSB first, stop bit, back to back) and samples it the way a 16x-oversampling receiver does.
 */

/** 8N1: start, 8 data, stop. */
const BITS_PER_BYTE = 10

/**
 * The bytes a receiver at `toBaud` decodes from `bytes` sent back to back at `fromBaud`.
 * Equal rates return a copy. Bytes with framing errors are delivered (as a tty does without
 * parity marking), which is what makes them garbage upstream.
 */
export function resampleUart (bytes: Uint8Array, fromBaud: number, toBaud: number): Uint8Array {
  if (fromBaud === toBaud || bytes.length === 0) return Uint8Array.from(bytes)
  const tx = 1 / fromBaud
  const rx = 1 / toBaud
  const end = bytes.length * BITS_PER_BYTE * tx
  const level = (t: number): number => {
    const bit = Math.floor(t / tx)
    const byte = Math.floor(bit / BITS_PER_BYTE)
    if (byte >= bytes.length) return 1
    const k = bit % BITS_PER_BYTE
    if (k === 0) return 0
    if (k === BITS_PER_BYTE - 1) return 1
    return (bytes[byte] >> (k - 1)) & 1
  }
  const step = Math.min(tx, rx) / 16
  const out: number[] = []
  let t = 0
  while (t < end) {
    if (level(t) !== 0) { t += step; continue }
    // A start bit begins here: sample the middle of each receiver bit.
    let value = 0
    for (let k = 1; k <= 8; k++) value |= level(t + (k + 0.5) * rx) << (k - 1)
    out.push(value)
    t += (BITS_PER_BYTE - 0.5) * rx
    // Wait for the line to go idle again before hunting for the next start bit.
    while (t < end && level(t) === 0) t += step
  }
  return Uint8Array.from(out)
}
