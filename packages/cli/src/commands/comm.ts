/*!
 * `irda comm [device]`: an IrCOMM connection as a serial port. With `--pty <path>` it appears as
 * a local pseudo-terminal (a stable symlink at <path>) that unmodified programs (gammu, a
 * terminal, pilot-link) open like a serial port; without it, stdin and stdout are the line.
 * The connection goes to the named device, or the first one offering IrCOMM, or (`--server`)
 * comes from whoever connects. When the device leaves, the pty stays and the command waits for
 * it to come back. With no medium named, the room is emulated, in real time, with an emulated
 * phone (or `--emulate mcp2150`) in it, so `irda comm --pty /tmp/phone` gives gammu a phone.
 */
import type { Command } from 'commander'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connectIrcomm, emulateMcp2150, emulatePhone, IRCOMM_HINTS, listenIrcomm, type IrcommPort, type ServiceName } from '@irdakit/ircomm'
import { parseSeed } from '../args.js'
import { jsonLine, untilStopped } from '../live.js'
import { mediumKind, mediumOptions, openMedium, type OpenMedium } from '../medium.js'
import { Output, UserError, hex32, oneLine } from '../output.js'
import { bridge, SocatPty, StdioLine } from '../pty-bridge.js'

interface CommFlags {
  pty?: string, service: string, server?: boolean, emulate: string, retryMs: number, seed: number, json?: boolean,
  emulator?: boolean, room?: string, port?: string, dongle?: string,
}

const SERVICES = ['auto', '9-wire', '3-wire', '3-wire-raw']

export function registerComm (program: Command): void {
  mediumOptions(program.command('comm')
    .description('an IrCOMM connection as a serial port: a local pty with --pty, else stdin/stdout')
    .argument('[device]', 'a nickname or device address (0x...); default: the first device offering IrCOMM')
    .option('--pty <path>', 'expose the connection as a pseudo-terminal linked at <path> (needs socat)')
    .option('--service <type>', `IrCOMM service type: ${SERVICES.join(', ')}`, 'auto')
    .option('--server', 'offer IrCOMM (9-wire and 3-wire) and take the connection instead of making it')
    .option('--emulate <device>', 'in the emulated room: the device in it, phone or mcp2150', 'phone')
    .option('--retry-ms <ms>', 'how often to look for a device that left', (v: string) => Number(v), 2000)
    .option('--seed <n>', 'seed for the emulated room', parseSeed, 1)
    .option('--json', 'one JSON object per line, per event'))
    .action(async (device: string | undefined, flags: CommFlags) => { await comm(device, flags) })
}

/** The medium: a named one, or a real-time emulated room holding the emulated device. */
async function commMedium (flags: CommFlags): Promise<OpenMedium> {
  if (mediumKind(flags) !== 'emulator') return await openMedium(flags, 'comm')
  if (!['phone', 'mcp2150'].includes(flags.emulate)) throw new UserError(`--emulate ${flags.emulate}: choose phone or mcp2150`)
  const room = new Room({ time: 'real', seed: flags.seed })
  const dev = flags.emulate === 'phone' ? emulatePhone(room.port('phone'), { seed: flags.seed * 10 + 1 }) : emulateMcp2150(room.port('mcp2150'), { seed: flags.seed * 10 + 1 })
  return {
    kind: 'emulator', port: room.port('comm'), label: `emulated room with an emulated ${flags.emulate}`, room,
    run: async p => await p,
    close: async () => { await dev.close().catch(() => {}); await room.close() },
  }
}

async function resolveDevice (stack: IrdaStack, device: string | undefined): Promise<number | undefined> {
  if (device === undefined) return undefined
  if (/^0x[0-9a-f]{1,8}$/i.test(device)) return Number(device)
  const found = (await stack.discover()).find(d => d.nickname.toLowerCase() === device.toLowerCase())
  return found?.deviceAddress
}

async function comm (device: string | undefined, flags: CommFlags): Promise<void> {
  if (!SERVICES.includes(flags.service)) throw new UserError(`--service ${flags.service}: choose one of ${SERVICES.join(', ')}`)
  if (flags.server === true && device !== undefined) throw new UserError('--server takes no device: the other side connects')
  if (!Number.isFinite(flags.retryMs) || flags.retryMs < 100) throw new UserError('--retry-ms must be at least 100')
  const out = new Output({ json: flags.json === true })
  // Without --pty, stdout is the line itself: the events, JSON too, go to stderr.
  const say = (event: string, text: string, extra: Record<string, unknown> = {}): void => {
    if (out.json) jsonLine({ event, ...extra, message: text }, flags.pty === undefined ? process.stderr : process.stdout); else out.note(`irda comm: ${text}`)
  }
  const stop = untilStopped()
  const pty = flags.pty !== undefined ? await SocatPty.open(flags.pty).catch((e: unknown) => { stop.dispose(); throw e }) : undefined
  let medium: OpenMedium | undefined
  try {
    medium = await commMedium(flags)
    const stack = IrdaStack.create({ port: medium.port, nickname: 'irda comm', hints: flags.server === true ? IRCOMM_HINTS : [0x04] })
    if (pty !== undefined) say('pty', `${pty.link} -> ${pty.device} on ${medium.label}`, { pty: pty.link, device: pty.device, medium: medium.label })
    const stdio = pty === undefined ? new StdioLine() : undefined
    const line = pty ?? stdio as StdioLine
    const stopped = stop.stopped.then(r => typeof r === 'string' ? r : r.error)
    const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
    let waitingSaid = false
    const nextPort = async (): Promise<IrcommPort> => {
      if (flags.server === true) {
        return await new Promise<IrcommPort>(resolve => {
          const srv = listenIrcomm(stack, {}, p => { srv.close(); resolve(p) })
        })
      }
      for (;;) {
        try {
          const address = await resolveDevice(stack, device)
          if (device !== undefined && address === undefined) throw new Error(`no device ${JSON.stringify(device)} answered discovery`)
          return await connectIrcomm(stack, { ...(address !== undefined ? { deviceAddress: address } : {}), service: flags.service as ServiceName | 'auto' })
        } catch (e) {
          if (!waitingSaid) say('waiting', `${oneLine(e)}; looking again every ${flags.retryMs} ms (^C to stop)`)
          waitingSaid = true
          await sleep(flags.retryMs)
        }
      }
    }
    for (;;) {
      if (flags.server === true) say('listening', `offering IrCOMM as ${hex32(stack.deviceAddress)}`)
      const port = await Promise.race([nextPort(), stopped])
      if (typeof port === 'string') break
      waitingSaid = false
      const peer = stack.discoveryLog().find(d => d.deviceAddress === port.deviceAddress)?.nickname ?? hex32(port.deviceAddress)
      say('connected', `connected to ${JSON.stringify(peer)} (${hex32(port.deviceAddress)}), ${port.service}`, { peer, deviceAddress: hex32(port.deviceAddress), service: port.service })
      port.on('error', () => {})
      // A pty has no modem lines to show them on: they are reported instead.
      port.on('lines', (lines, changed) => { if (changed.length > 0) say('lines', `the device's lines: ${Object.entries(lines).map(([k, v]) => `${k.toUpperCase()} ${v ? 'on' : 'off'}`).join(', ')}`, { lines, changed }) })
      const onSettings = (x: Record<string, unknown>): void => { say('settings', `line settings from the pty: ${JSON.stringify(x)}`, { settings: x }) }
      const why = await Promise.race([bridge(line, port, { onSettings }), stopped.then(r => `stopped by ${r}`)])
      if (why.startsWith('stopped by') || why === 'input ended') {
        port.end()
        await Promise.race([new Promise(resolve => port.once('close', resolve)), sleep(3000)])
        break
      }
      say('disconnected', `${JSON.stringify(peer)} left: ${why}; waiting for it to come back`, { peer, reason: why })
      if (why.startsWith('the pty went away')) throw new UserError('the pty went away (socat ended)', 1)
    }
    await stack.close().catch(() => {})
  } finally {
    stop.dispose()
    pty?.close()
    await medium?.close()
  }
}
