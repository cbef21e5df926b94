/*! `irda discover`: who is in range, in an emulated room or through a real dongle. */
import type { Command } from 'commander'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import type { DeviceInfo } from '@irdakit/lmp'
import { parseSeed, parseSlots } from '../args.js'
import { hintHex, hintNames } from '../hints.js'
import { Output, hex32 } from '../output.js'
import { FIRMWARE_OPTION, mediumKind, openMedium, USB_OPTION } from '../medium.js'

interface DiscoverFlags { emulator?: boolean, room?: string, port?: string, dongle?: string, slots?: 1 | 6 | 8 | 16, seed: number, json?: boolean }

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
    .option('--room <socket>', 'join the room served by `irda room serve` on this socket')
    .option('--port <path>', 'a serial port with an IrDA dongle, e.g. /dev/ttyUSB0')
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
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

/** One discovery through a dongle (`--port`) or in a served room (`--room`). */
async function discoverOn (flags: DiscoverFlags): Promise<{ label: string, devices: DeviceInfo[] }> {
  const medium = await openMedium(flags, 'discover')
  const stack = IrdaStack.create({ port: medium.port, nickname: 'irdakit' })
  try {
    return { label: medium.label, devices: await stack.discover({ slots: flags.slots ?? 6 }) }
  } finally {
    await stack.close().catch(() => {})
    await medium.close()
  }
}

async function discover (flags: DiscoverFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const { label: medium, devices } = mediumKind(flags) === 'emulator' ? { label: 'emulator', devices: await discoverEmulated(flags) } : await discoverOn(flags)
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
