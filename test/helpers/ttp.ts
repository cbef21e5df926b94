/*! TinyTP socket helpers shared by the stack and serial tests. */
import type { TtpSocket } from '@irdakit/stack'

/** Reads from a socket until `n` bytes arrived (rejects if it closes first). */
export async function readN (s: TtpSocket, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let got = 0
  while (got < n) {
    const chunk = s.read()
    if (chunk !== undefined) { parts.push(chunk); got += chunk.length; continue }
    if (s.closed) throw s.closeError ?? new Error('closed')
    await new Promise<void>((resolve, reject) => {
      const onReadable = (): void => { s.off('close', onClose); resolve() }
      const onClose = (e: Error | undefined): void => { s.off('readable', onReadable); reject(e ?? new Error('closed')) }
      s.once('readable', onReadable)
      s.once('close', onClose)
    })
  }
  return Buffer.concat(parts)
}

/** Echoes everything back on every accepted connection. */
export function echo (s: TtpSocket): void {
  s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) })
}
