/*! `irda discover`: who is in range, in an emulated room or through a real dongle. */
import type { Command } from 'commander'
import type { Port } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { openSerialPort } from '@irdakit/serial'
import type { DeviceInfo } from '@irdakit/lmp'
import { parseSeed, parseSlots } from '../args.js'
import { hintHex, hintNames } from '../hints.js'
import { Output, UserError, oneLine, hex32 } from '../output.js'

interface DiscoverFlags { emulator?: boolean, port?: string, dongle?: string, slots?: 1 | 6 | 8 | 16, seed: number, json?: boolean }

/** The devices `irda discover --emulator` puts in the room. */
export const EMULATED_DEVICES: ReadonlyArray<{ name: string, nickname: string, hints: number[] }> = [
  { name: 'divecomputer', nickname: 'Aladin Smart', hints: [0x01] },
  { name: 'phone', nickname: 'Nokia 6310i', hints: [0x91, 0x25] },
  { name: 'palm', nickname: 'Palm m505', hints: [0x82, 0x20] },
  { name: 'printer', nickname: 'HP LaserJet 2100', hints: [0x08] },
]

export function registerDiscover (program: Command): void {
  program.command('discover')
    .description('run IrLAP discovery and list the devices that answer')
    .option('--emulator', 'an emulated room with a few devices (the default)')
    .option('--port <path>', 'a serial port with an IrDA dongle, e.g. /dev/ttyUSB0')
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option('--slots <n>', 'discovery slots: 1, 6, 8 or 16', parseSlots)
    .option('--seed <n>', 'seed for the emulated room', parseSeed, 1)
    .option('--json', 'one JSON document')
    .action(async (flags: DiscoverFlags) => { await discover(flags) })
}

async function discoverEmulated (flags: DiscoverFlags): Promise<DeviceInfo[]> {
  const room = new Room({ time: 'virtual', seed: flags.seed })
  const me = IrdaStack.create({ port: room.port('irda'), nickname: 'irdakit', seed: flags.seed * 10 })
  const others = EMULATED_DEVICES.map((d, i) => IrdaStack.create({ port: room.port(d.name), nickname: d.nickname, hints: d.hints, seed: flags.seed * 10 + i + 1 }))
  try {
    return await room.run((async () => {
      // Several devices may pick the same slot: discover until all answered or three rounds passed.
      const seen = new Map<number, DeviceInfo>()
      for (let round = 0; round < 3 && seen.size < others.length; round++) {
        for (const d of await me.discover({ slots: flags.slots ?? 8 })) seen.set(d.deviceAddress, d)
      }
      await me.close()
      for (const o of others) await o.close()
      return [...seen.values()]
    })())
  } finally {
    await room.close()
  }
}

async function discoverSerial (path: string, flags: DiscoverFlags): Promise<DeviceInfo[]> {
  let port: Port & { close: () => Promise<void> }
  try {
    port = await openSerialPort({ path, dongle: flags.dongle ?? 'none' })
  } catch (e) {
    throw new UserError(`cannot open ${path} with dongle ${flags.dongle ?? 'none'}: ${oneLine(e)}`)
  }
  const stack = IrdaStack.create({ port, nickname: 'irdakit' })
  try {
    return await stack.discover({ slots: flags.slots ?? 6 })
  } finally {
    await stack.close().catch(() => {})
    await port.close().catch(() => {})
  }
}

async function discover (flags: DiscoverFlags): Promise<void> {
  if (flags.port !== undefined && flags.emulator === true) throw new UserError('choose --emulator or --port, not both')
  const out = new Output({ json: flags.json === true })
  const medium = flags.port !== undefined ? `${flags.port} (${flags.dongle ?? 'none'})` : 'emulator'
  const devices = flags.port !== undefined ? await discoverSerial(flags.port, flags) : await discoverEmulated(flags)
  devices.sort((a, b) => a.nickname.localeCompare(b.nickname))
  if (out.json) {
    out.emitJson({
      command: 'discover',
      medium,
      devices: devices.map(d => ({ deviceAddress: hex32(d.deviceAddress), nickname: d.nickname, charset: d.charset, hints: hintHex(d.hints), services: hintNames(d.hints) })),
    })
    return
  }
  if (devices.length === 0) { out.line(`no device answered on ${medium}`); return }
  out.line(out.style('dim', `${devices.length} device${devices.length === 1 ? '' : 's'} on ${medium}:`))
  for (const d of devices) {
    out.line(`${hex32(d.deviceAddress)}  ${JSON.stringify(d.nickname).padEnd(20)}  hints=${hintHex(d.hints).padEnd(4)}  ${hintNames(d.hints).join(', ')}`)
  }
}
