/*! `irda ping`: IrLAP TEST frames in NDM, answered by any station (IrLAP 1.1 section 6.12). */
import { InvalidArgumentError, type Command } from 'commander'
import type { Clock, Port } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { parseBer, parseCount, parseSeed } from '../args.js'
import { Output, UserError, oneLine, hex32 } from '../output.js'
import { FIRMWARE_OPTION, mediumKind, openMedium, USB_OPTION } from '../medium.js'

interface PingFlags {
  count: number
  size: number
  interval: number
  device?: number
  emulator?: boolean
  room?: string
  port?: string
  dongle?: string
  ber: number
  seed: number
  json?: boolean
}

function parseAddress (v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0 || n >= 0xFFFFFFFF) throw new InvalidArgumentError('must be a 32-bit device address such as 0x1234abcd (not 0 or 0xffffffff)')
  return n
}

/**
 * The largest payload a TEST can carry and still be answered: in NDM the answer goes at 9600
 * bit/s and must end within the 500 ms the sender waits (IrLAP's default maximum turnaround).
 * 400 bytes answer in about 444 ms of airtime (with addresses, FCS, BOFs, XBOFs and escapes)
 * plus the peer's turnaround (up to 10 ms); from about 450 bytes no answer can arrive in time.
 */
export const MAX_TEST_SIZE = 400

function parseTestSize (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_TEST_SIZE) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_TEST_SIZE} (a TEST answer at 9600 bit/s must arrive within IrLAP's 500 ms maximum turnaround)`)
  }
  return n
}

function parseInterval (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 60_000) throw new InvalidArgumentError('must be a number of milliseconds from 0 to 60000')
  return n
}

export function registerPing (program: Command): void {
  program.command('ping')
    .description('send IrLAP TEST frames and time the echoes (no connection needed)')
    .option('-c, --count <n>', 'how many TEST frames', parseCount, 4)
    .option('-s, --size <bytes>', `payload bytes per TEST frame, 1 to ${MAX_TEST_SIZE}`, parseTestSize, 32)
    .option('-i, --interval <ms>', 'time from one TEST to the next', parseInterval, 1000)
    .option('--device <address>', 'the device to ping (default: broadcast, first answer wins)', parseAddress)
    .option('--emulator', 'an emulated room with one device (the default)')
    .option('--room <socket>', 'join the room served by `irda room serve` on this socket')
    .option('--port <path>', 'a serial port with an IrDA dongle, e.g. /dev/ttyUSB0')
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option('--ber <rate>', 'bit error rate in the emulated room', parseBer, 0)
    .option('--seed <n>', 'seed for the emulated room', parseSeed, 1)
    .option('--json', 'one JSON document')
    .action(async (flags: PingFlags) => { await ping(flags) })
}

interface Medium { port: Port, label: string, target?: number, close: () => Promise<void> }

async function emulatedMedium (flags: PingFlags): Promise<Medium & { room: Room }> {
  const room = new Room({ time: 'virtual', seed: flags.seed })
  const port = room.port('irda')
  const peer = IrdaStack.create({ port: room.port('divecomputer'), nickname: 'Aladin Smart', hints: [0x01], seed: flags.seed * 10 + 1 })
  if (flags.ber > 0) room.faults({ ber: flags.ber })
  return { room, port, label: 'emulator', target: peer.deviceAddress, close: async () => { await room.close() } }
}

/** A dongle (`--port`) or a served room (`--room`). */
async function sharedMedium (flags: PingFlags): Promise<Medium> {
  const { port, label, close } = await openMedium(flags, 'ping')
  return { port, label, close }
}

const sleepUntil = async (clock: Clock, at: number): Promise<void> => { await new Promise<void>(resolve => { clock.setTimer(at, resolve) }) }

interface Reply { seq: number, ok: boolean, rttMs?: number, mismatch?: boolean }

async function pingLoop (stack: IrdaStack, clock: Clock, flags: PingFlags, destination: number | undefined, out: Output, dest: string): Promise<Reply[]> {
  const replies: Reply[] = []
  for (let seq = 1; seq <= flags.count; seq++) {
    const data = Uint8Array.from({ length: flags.size }, (_, i) => (i < 2 ? (seq >> (8 * (1 - i))) : i) & 0xFF)
    const t0 = clock.now()
    let confirm: Promise<{ ok: boolean, data: Uint8Array }>
    try {
      confirm = stack.test({ data, ...(destination !== undefined ? { deviceAddress: destination } : {}) })
    } catch (e) {
      throw new UserError(`cannot send a TEST frame: ${oneLine(e)}`)
    }
    const e = await confirm
    const rttMs = clock.now() - t0
    if (!e.ok) {
      replies.push({ seq, ok: false })
      out.line(`no answer from ${dest}: seq=${seq}`)
    } else {
      const same = e.data.length === data.length && e.data.every((b, i) => b === data[i])
      replies.push({ seq, ok: same, rttMs, ...(same ? {} : { mismatch: true }) })
      out.line(`${e.data.length} bytes from ${dest}: seq=${seq} time=${rttMs.toFixed(1)} ms${same ? '' : out.style('red', ' (payload differs)')}`)
    }
    if (seq < flags.count) await sleepUntil(clock, t0 + flags.interval)
  }
  return replies
}

async function ping (flags: PingFlags): Promise<void> {
  const kind = mediumKind(flags)
  const out = new Output({ json: flags.json === true })
  const medium = kind !== 'emulator' ? await sharedMedium(flags) : await emulatedMedium(flags)
  const destination = flags.device ?? medium.target
  const dest = destination !== undefined ? hex32(destination) : 'broadcast'
  // Seeded only in its own emulated room: on a dongle or in a shared room two pings must not
  // pick the same device address.
  const stack = IrdaStack.create({ port: medium.port, nickname: 'irdakit', ...(kind === 'emulator' ? { seed: flags.seed * 10 } : {}) })
  let replies: Reply[]
  try {
    const loop = pingLoop(stack, medium.port.clock, flags, destination, out, dest)
    replies = 'room' in medium ? await (medium.room as Room).run(loop) : await loop
  } finally {
    await stack.close(0)
    await medium.close()
  }
  const got = replies.filter(r => r.ok)
  const rtts = got.map(r => r.rttMs ?? 0)
  const stats = {
    sent: replies.length,
    received: got.length,
    lossPercent: replies.length === 0 ? 0 : 100 * (replies.length - got.length) / replies.length,
    ...(rtts.length > 0 ? { rttMs: { min: Math.min(...rtts), avg: rtts.reduce((a, b) => a + b, 0) / rtts.length, max: Math.max(...rtts) } } : {}),
  }
  if (got.length === 0) process.exitCode = 1
  if (out.json) {
    out.emitJson({ command: 'ping', destination: dest, medium: flags.port ?? medium.label, size: flags.size, replies, ...stats })
    return
  }
  out.line('')
  out.line(`${stats.sent} TEST frames sent, ${stats.received} answered, ${stats.lossPercent.toFixed(0)}% loss` +
    (stats.rttMs !== undefined ? `, rtt min/avg/max = ${stats.rttMs.min.toFixed(1)}/${stats.rttMs.avg.toFixed(1)}/${stats.rttMs.max.toFixed(1)} ms` : ''))
}
