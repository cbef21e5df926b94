/*!
 * `irda attach`: Linux's irattach for irdakit. Brings an IrdaStack up on a serial dongle (or in
 * a served or an emulated room) and keeps it there until SIGINT/SIGTERM: it answers discovery and IAS
 * queries (DeviceName = the nickname) and connections, optionally discovers periodically and
 * reports devices coming and going, prints the decoded trace and writes a pcap. On exit it
 * closes the stack (the link is disconnected cleanly) and the port, then prints a summary.
 */
import { hostname } from 'node:os'
import { InvalidArgumentError, type Command } from 'commander'
import type { Port } from '@irdakit/core'
import { connectRoom, Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { parseFrame, parseDiscoveryInfo } from '@irdakit/lap'
import type { DeviceInfo } from '@irdakit/lmp'
import { parseSeed, parseSpeed } from '../args.js'
import { hintHex, hintNames } from '../hints.js'
import { Output, UserError, oneLine, hex32 } from '../output.js'
import { LiveTrace, jsonLine, openDongle, untilStopped, type StopReason } from '../live.js'
import { DeviceWatch } from '../device-watch.js'
import { startEmulatedPeer, EMULATED_PEER } from '../attach-peer.js'
import { FIRMWARE_OPTION, USB_OPTION } from '../medium.js'
import { openUsbMedium } from '../usb-medium.js'

interface AttachFlags {
  dongle: string
  usb?: string
  firmware?: string
  nickname?: string
  hints?: number[]
  speed?: number
  discover?: number
  trace?: boolean
  pcap?: string
  hex?: boolean
  emulator?: boolean
  room?: string
  seed: number
  json?: boolean
}

/** Service names `--hints` accepts, from the hint bit each one stands for. */
function hintBitsByName (): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>()
  for (let bit = 0; bit < 7; bit++) for (const n of hintNames(Uint8Array.of(1 << bit))) m.set(n.toLowerCase(), [0, 1 << bit])
  for (let bit = 0; bit < 7; bit++) for (const n of hintNames(Uint8Array.of(0x80, 1 << bit))) m.set(n.toLowerCase(), [1, 1 << bit])
  return m
}

/** `--hints`: hex bytes (`8404`, `84,04`) or service names (`computer,ircomm`). */
export function parseHints (v: string): number[] {
  const s = v.trim().toLowerCase()
  if (/^(0x)?[0-9a-f]{2}([ ,:]?(0x)?[0-9a-f]{2}){0,3}$/.test(s)) {
    return (s.replace(/0x/g, '').replace(/[ ,:]/g, '').match(/../g) ?? []).map(h => parseInt(h, 16))
  }
  const table = hintBitsByName()
  const bytes = [0, 0]
  for (const name of s.split(',').map(x => x.trim()).filter(x => x !== '')) {
    const at = table.get(name)
    if (at === undefined) throw new InvalidArgumentError(`must be hex bytes such as 8404, or service names from: ${[...table.keys()].join(', ')}`)
    bytes[at[0]] |= at[1]
  }
  if (bytes[1] !== 0) return [bytes[0] | 0x80, bytes[1]]
  if (bytes[0] === 0) throw new InvalidArgumentError('names no service')
  return [bytes[0]]
}

function parsePeriod (v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < 0.5 || n > 3600) throw new InvalidArgumentError('must be a number of seconds from 0.5 to 3600')
  return n
}

/** irattach names the host after the machine; IrLMP carries at most 22 bytes of it. */
const defaultNickname = (): string => (hostname().split('.')[0] ?? '').slice(0, 22) || 'irdakit'

export function registerAttach (program: Command): void {
  program.command('attach')
    .description('bring an IrDA stack up on a dongle (or the emulator) and keep it running until ^C, like irattach')
    .argument('[path]', 'the serial port with the dongle, e.g. /dev/ttyUSB0')
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
    .option('--nickname <name>', 'the name announced in discovery and IAS DeviceName (default: the host name)')
    .option('--hints <list>', 'service hints: hex bytes (8404) or names (computer,ircomm)', parseHints)
    .option('--speed <bps>', 'top speed to offer when a peer connects (default: the dongle\'s top speed)', parseSpeed)
    .option('--discover <seconds>', 'discover every <seconds> and report devices as they appear and disappear', parsePeriod)
    .option('--trace', 'print every frame, decoded, as it passes')
    .option('--hex', 'with --trace: add each frame\'s bytes')
    .option('--pcap <file>', 'save every frame to a pcap (open it in Wireshark)')
    .option('--emulator', `attach in an emulated room (real time) where "${EMULATED_PEER.nickname}" discovers and queries us`)
    .option('--room <socket>', 'attach as a station of the room served by `irda room serve` on this socket')
    .option('--seed <n>', 'with --emulator: seed for the room and the peer', parseSeed, 1)
    .option('--json', 'one JSON object per line (events), then a summary line')
    .action(async (path: string | undefined, flags: AttachFlags) => { await attach(path, flags) })
}

interface Medium {
  port: Port
  label: string
  close: () => Promise<void>
}

async function openMedium (path: string | undefined, flags: AttachFlags): Promise<Medium & { room?: Room }> {
  const named = [path !== undefined && 'a serial port', flags.usb !== undefined && '--usb', flags.emulator === true && '--emulator', flags.room !== undefined && '--room'].filter(x => x !== false)
  if (named.length > 1) throw new UserError(`choose one of a serial port, ${flags.usb !== undefined ? '--usb, ' : ''}--emulator and --room, not ${named.join(' and ')}`)
  if (named.length === 0) throw new UserError('name the serial port (irda attach /dev/ttyUSB0 --dongle <name>), or use --room <socket> or --emulator')
  if (flags.usb !== undefined) {
    const { port, label } = await openUsbMedium(flags.usb, flags.firmware)
    return { port, label, close: async () => { await port.close().catch(() => {}) } }
  }
  if (path !== undefined) {
    const port = await openDongle(path, flags.dongle)
    return { port, label: `${path} (dongle ${flags.dongle})`, close: async () => { await port.close().catch(() => {}) } }
  }
  if (flags.room !== undefined) {
    const address = flags.room
    let port
    try {
      port = await connectRoom(address, { name: `attach-${process.pid}` })
    } catch (e) {
      throw new UserError(`cannot join the room: ${oneLine(e)}`)
    }
    return { port, label: `the room on ${address}`, close: async () => { await port.close() } }
  }
  const room = new Room({ time: 'real', seed: flags.seed })
  const port = room.port('attach')
  return { room, port, label: 'an emulated room', close: async () => { await room.close() } }
}

/** A peer's discovery reached us: its final XID command carries its nickname. */
function discoveredBy (frame: Uint8Array): { deviceAddress: number, nickname: string, hints: Uint8Array } | undefined {
  const f = parseFrame(frame)
  if (!f.ok || f.value.kind !== 'XID' || !f.value.command || f.value.info.slot !== 0xFF || f.value.info.discoveryInfo === undefined) return undefined
  const d = parseDiscoveryInfo(f.value.info.discoveryInfo)
  return d.ok ? { deviceAddress: f.value.info.source, nickname: d.value.nickname, hints: d.value.hints } : undefined
}

const deviceJson = (d: { deviceAddress: number, nickname: string, hints: Uint8Array }): Record<string, unknown> =>
  ({ deviceAddress: hex32(d.deviceAddress), nickname: d.nickname, hints: hintHex(d.hints), services: hintNames(d.hints) })

async function attach (path: string | undefined, flags: AttachFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const medium = await openMedium(path, flags)
  const { port } = medium
  const clock = port.clock
  const t0 = clock.now()
  const rel = (): number => clock.now() - t0
  let trace: LiveTrace
  try {
    trace = new LiveTrace(out, { quiet: flags.trace !== true, hex: flags.hex, pcap: flags.pcap, epochMs: Date.now() })
  } catch (e) {
    await medium.close()
    throw e
  }
  const nickname = flags.nickname ?? defaultNickname()
  const speeds = port.supportedSpeeds.filter(s => s <= (flags.speed ?? Infinity))
  const stack = IrdaStack.create({ port, nickname, qos: { speeds }, ...(flags.hints !== undefined ? { hints: flags.hints } : {}), ...(flags.emulator === true ? { seed: flags.seed * 10 } : {}) })
  const run = untilStopped()

  const seen = new Map<number, Record<string, unknown>>()
  let discoveredTimes = 0
  stack.onFrame(rec => {
    trace.frame({ timeMs: rec.timestampMs - t0, direction: rec.direction, frame: rec.frame })
    if (rec.direction !== 'in') return
    const by = discoveredBy(rec.frame)
    if (by === undefined) return
    discoveredTimes++
    seen.set(by.deviceAddress, deviceJson(by))
    trace.event(rel(), { event: 'discovered-by', ...deviceJson(by) }, `discovered by ${hex32(by.deviceAddress)} ${JSON.stringify(by.nickname)}`, 'green')
  })
  port.listen(ev => { if (ev.type === 'closed' && ev.error !== undefined) run.stop({ error: oneLine(ev.error) }) })

  const watch = flags.discover === undefined
    ? undefined
    : new DeviceWatch(stack, clock, flags.discover * 1000, c => {
      const d: DeviceInfo = c.device
      if (c.change === 'appeared') seen.set(d.deviceAddress, deviceJson(d))
      const text = `${c.change === 'appeared' ? '+' : '-'} ${hex32(d.deviceAddress)} ${JSON.stringify(d.nickname)}${c.change === 'appeared' ? ` ${hintNames(d.hints).join(', ')}` : ' left'}`
      trace.event(rel(), { event: 'device', change: c.change, ...deviceJson(d) }, text, c.change === 'appeared' ? 'green' : 'yellow')
    }, e => { trace.event(rel(), { event: 'discovery-error', error: oneLine(e) }, `discovery failed: ${oneLine(e)}`, 'red') })

  const peer = medium.room !== undefined ? startEmulatedPeer(medium.room, stack.deviceAddress, flags.seed) : undefined
  const hello = { event: 'attached', port: path ?? (flags.room !== undefined ? `room ${flags.room}` : 'emulator'), dongle: path !== undefined ? flags.dongle : undefined, nickname, deviceAddress: hex32(stack.deviceAddress), hints: hintHex(Uint8Array.from(flags.hints ?? [0x04])), speeds }
  if (out.json) jsonLine({ ...hello, time: 0 })
  else out.line(`attached to ${medium.label} as ${JSON.stringify(nickname)} ${hex32(stack.deviceAddress)}, speeds up to ${speeds[speeds.length - 1] ?? '?'} bit/s; ^C to detach`)
  watch?.start()

  const reason: StopReason = await run.stopped
  watch?.stop()
  await peer?.stop()
  await stack.close().catch((e: unknown) => { out.note(`irda: closing the stack: ${oneLine(e)}`) })
  await watch?.idle()
  await medium.close()
  run.dispose()
  trace.close()

  const s = port.stats
  const rxErrors = Object.values(s.rxErrors).reduce((a, b) => a + b, 0)
  const stoppedBy = typeof reason === 'string' ? reason : reason.error
  const devices = [...seen.values()]
  if (out.json) {
    jsonLine({ event: 'summary', time: Number((rel() / 1000).toFixed(6)), stoppedBy, framesIn: s.framesReceived, framesOut: s.framesSent, rxErrors, rxErrorsByReason: s.rxErrors, discoveredBy: discoveredTimes, discoveries: watch?.rounds ?? 0, devices, ...(flags.pcap !== undefined ? { pcap: flags.pcap, pcapFrames: trace.pcapFrames } : {}) })
  } else {
    out.line(`detached (${stoppedBy}): ${s.framesReceived} frames in, ${s.framesSent} out, ${rxErrors} receive errors; discovered by others ${discoveredTimes} times` +
      `${watch !== undefined ? `, ${watch.rounds} discoveries of our own` : ''}`)
    out.line(devices.length === 0 ? 'no device seen' : `devices seen: ${devices.map(d => `${String(d.deviceAddress)} ${JSON.stringify(d.nickname)}`).join(', ')}`)
    if (flags.pcap !== undefined) out.line(`capture: ${flags.pcap} (${trace.pcapFrames} frames)`)
  }
  if (typeof reason !== 'string') throw new UserError(reason.error, 1)
}
