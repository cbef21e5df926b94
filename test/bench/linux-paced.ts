/*!
 * irdakit against Linux 4.9 on a real-time line (issue 17): the same bulk TinyTP stream sent by
 * irdakit and by Linux to the same Linux receiver through the same paced 115200 line, one after
 * the other in one run, at several write sizes.
 *
 * Two Linux guests boot in qemu from the folder named by IRDAKIT_LINUX_PEER (its README): the
 * receiver runs `irrecv Bulk`, which measures goodput from its first byte to EOF and checks every
 * byte against a fixed pattern; the Linux sender runs `irsend Bulk <bytes> <write size>`. The
 * line is that folder's `pacer.py`: one half-duplex medium delivering baud/10 bytes a second,
 * switching speed after SNRM/UA as the stations negotiate it. irdakit joins it through a socat
 * pty pair opened with @irdakit/serial (dongle 'none'), exactly as it would a dongle, and writes
 * the same pattern through the Node API. Skipped, with what is missing, without the peer folder,
 * qemu, socat or python3. Not part of any test run: `npm run bench -- linux-paced`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import { connect } from '@irdakit/irsock'
import { BenchSkipped, type BenchOptions, type BenchRow } from '../../packages/cli/src/bench/index.js'
import { bootLinuxGuest, linuxGuestMissing, type LinuxGuest } from '../helpers/linux-guest.js'
import { haveSocat, ptyPair, SOCAT_MISSING } from '../serial/socat.js'

const LINE_BYTES_PER_S = 115200 / 10
const SERVICE = 'Bulk'

/** The byte irsend and irrecv expect at offset `i` of the stream. */
const patternByte = (i: number): number => (i * 131 + Math.floor(i / 256) + 7) & 0xff

function patternChunk (offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) b[i] = patternByte(offset + i)
  return b
}

interface Received { bytes: number, bytesPerS: number, patternErrors: number }

const EOF_LINE = /irrecv: EOF \([^)]*\) bytes=(\d+) reads=\d+ elapsed=[\d.]+ s bytes\/s=([\d.]+) fnv1a=0x[0-9a-f]+ pattern_errors=(\d+)/

/** The paced line between two ptys, logging every frame to `log`; stopped by `stop()`. */
class Pacer {
  private readonly proc: ChildProcess
  constructor (script: string, a: string, b: string, readonly log: string) {
    this.proc = spawn('python3', [script, a, b, '0', log], { stdio: 'ignore' })
  }

  text (): string { return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '' }

  /** Waits until the pacer has seen the link end (DISC/UA or DM), so the next run starts at 9600. */
  async linkDown (timeoutMs: number): Promise<void> {
    for (let waited = 0; !/=== CONNECTION \d+ summary/.test(this.text()); waited += 200) {
      if (waited > timeoutMs) throw new Error(`the link did not come down within ${timeoutMs / 1000} s:\n${this.text().slice(-1500)}`)
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }

  async stop (): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    this.proc.kill('SIGTERM')
    await once(this.proc, 'exit')
  }
}

/** Starts `irrecv` on the receiver and waits for it to listen; resolves its result at EOF. */
async function receive (rx: LinuxGuest, bytes: number): Promise<() => Promise<Received>> {
  const from = rx.console().length
  await rx.command(`irrecv ${SERVICE} 1`)
  await rx.waitFor(/irrecv: listening/, from, 30_000)
  return async () => {
    const m = await rx.waitFor(EOF_LINE, from, 60_000 + bytes / 2)
    return { bytes: Number(m[1]), bytesPerS: Number(m[2]), patternErrors: Number(m[3]) }
  }
}

async function linuxSends (tx: LinuxGuest, bytes: number, writeSize: number): Promise<void> {
  const from = tx.console().length
  await tx.command(`irsend ${SERVICE} ${bytes} ${writeSize}`)
  await tx.waitFor(/irsend: sent=\d+|irsend: no peer|\n(connect|send): /, from, 60_000 + bytes / 2)
}

async function irdakitSends (pty: string, receiver: string, bytes: number, writeSize: number): Promise<void> {
  const port = await openSerialPort({ path: pty, dongle: 'none' })
  const stack = IrdaStack.create({ port, nickname: 'irdakit' })
  try {
    let address: number | undefined
    for (let round = 0; round < 10 && address === undefined; round++) {
      address = (await stack.discover()).find(d => d.nickname === receiver)?.deviceAddress
    }
    if (address === undefined) throw new Error(`irdakit did not discover ${receiver} on the paced line`)
    const sock = connect(stack, { service: SERVICE, deviceAddress: address })
    await once(sock, 'connect')
    for (let sent = 0; sent < bytes; sent += writeSize) {
      if (!sock.write(patternChunk(sent, Math.min(writeSize, bytes - sent)))) await once(sock, 'drain')
    }
    sock.end()
    await once(sock, 'close')
  } finally {
    await stack.close()
    await port.close()
  }
}

function checked (who: string, r: Received, bytes: number): Received {
  if (r.bytes !== bytes || r.patternErrors !== 0) throw new Error(`${who}: the receiver got ${r.bytes} of ${bytes} bytes with ${r.patternErrors} wrong`)
  return r
}

const progress = (line: string): void => { process.stderr.write(`linux-paced: ${line}\n`) }

const pct = (bytesPerS: number): string => `${(100 * bytesPerS / LINE_BYTES_PER_S).toFixed(1)}% of line`

export async function linuxPacedBench ({ quick }: BenchOptions): Promise<BenchRow[]> {
  const missing = linuxGuestMissing() ??
    (haveSocat() ? undefined : SOCAT_MISSING) ??
    (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'python3 not found (apt-get install -y python3)')
  if (missing !== undefined) throw new BenchSkipped(missing)
  const pacerScript = join(process.env.IRDAKIT_LINUX_PEER as string, 'pacer.py')
  if (!existsSync(pacerScript)) throw new BenchSkipped(`${pacerScript} not found: the linux-peer folder brings pacer.py`)

  const bytes = quick ? 65536 : 131072
  const writeSizes = quick ? [2048] : [2048, 64, 512, 2039, 4096, 65536]
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-linux-paced-'))
  const guests = await Promise.all([bootLinuxGuest({ nickname: 'linuxsend' }), bootLinuxGuest({ nickname: 'linuxrecv' })])
  const [tx, rx] = guests
  progress('both guests up')
  const pair = await ptyPair()
  const rows: BenchRow[] = []
  let run = 0
  const paced = async (a: string, send: () => Promise<void>, who: string): Promise<Received> => {
    const pacer = new Pacer(pacerScript, a, rx.pty, join(dir, `pacer-${++run}.log`))
    try {
      const result = await receive(rx, bytes)
      progress(`${who}: receiver listening`)
      await send()
      const r = checked(who, await result(), bytes)
      progress(`${who}: ${(r.bytesPerS / 1000).toFixed(2)} kB/s (${pct(r.bytesPerS)})`)
      await pacer.linkDown(30_000)
      // The pacer's account of the connection: frames by type, polls, idle gaps.
      for (const line of pacer.text().split('\n').filter(l => /^\[[ \d.]+\]\s+(frames|I payload|I frames with|idle gaps)/.test(l))) progress(`  ${line.replace(/^\[[ \d.]+\]\s+/, '')}`)
      return r
    } finally {
      await pacer.stop()
    }
  }
  try {
    for (const size of writeSizes) {
      const linux = await paced(tx.pty, async () => await linuxSends(tx, bytes, size), 'Linux to Linux')
      const ours = await paced(pair.a, async () => await irdakitSends(pair.b, rx.nickname, bytes, size), 'irdakit to Linux')
      rows.push({
        bench: 'linux-paced',
        case: `irdakit to Linux 4.9, paced 115200 line, ${size}-byte writes, ${bytes / 1024} KiB`,
        value: ours.bytesPerS / 1000,
        unit: 'kB/s',
        ratio: ours.bytesPerS / linux.bytesPerS,
        against: `Linux to Linux ${(linux.bytesPerS / 1000).toFixed(2)} kB/s (${pct(linux.bytesPerS)}; irdakit ${pct(ours.bytesPerS)})`,
        target: 1,
        measure: 'vs-linux',
      })
    }
    return rows
  } finally {
    pair.kill()
    for (const g of guests) g.stop()
    progress(`the pacer's frame logs: ${dir}`)
  }
}
