/*!
 * Where a command's station lives: an emulated room in this process (the default), a room
 * served by `irda room serve` in another process (`--room <socket>`), or a serial port with a
 * dongle (`--port <path> --dongle <name>`). Commands ask {@link openMedium} for a port and get
 * the same shape back whichever it is.
 */
import type { Command } from 'commander'
import type { Port } from '@irdakit/core'
import { connectRoom, Room } from '@irdakit/emulator'
import { openSerialPort } from '@irdakit/serial'
import { SPEEDS } from '@irdakit/phy'
import { UserError, oneLine } from './output.js'
import { openUsbMedium } from './usb-medium.js'

export interface MediumFlags { emulator?: boolean, room?: string, port?: string, dongle?: string, usb?: string, firmware?: string }

export type MediumKind = 'emulator' | 'room' | 'serial' | 'usb'

export interface OpenMedium {
  kind: MediumKind
  port: Port
  /** For people: `emulator`, `room /tmp/irdakit-room.sock`, `/dev/ttyUSB0 (tekram)`. */
  label: string
  /** The in-process room (emulator only): the command puts the counterpart stations in it. */
  room?: Room
  /** Drives the virtual room until `p` settles; elsewhere time is real and this just awaits. */
  run: <T>(p: Promise<T>) => Promise<T>
  close: () => Promise<void>
}

/** The `--emulator`, `--room`, `--port`, `--dongle` options, in the words every command uses. */
export function mediumOptions (cmd: Command, emulatorHelp = 'an emulated room in this process (the default)'): Command {
  return cmd
    .option('--emulator', emulatorHelp)
    .option('--room <socket>', 'join the room served by `irda room serve` on this socket')
    .option('--port <path>', 'a serial port with an IrDA dongle, e.g. /dev/ttyUSB0')
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
}

/** `--usb` and `--firmware`, for commands that list their medium options themselves. */
export const USB_OPTION = ['--usb <vid:pid|index>', 'a USB IrDA dongle (see irda dongles), e.g. 9710:7780'] as const
export const FIRMWARE_OPTION = ['--firmware <file|dir>', 'STIr421x USB dongles: SigmaTel\'s firmware patch (4210XXXX.sb)'] as const

/** Which medium the flags name; one line and exit 2 for a contradiction. */
export function mediumKind (flags: MediumFlags): MediumKind {
  const named = [flags.emulator === true && '--emulator', flags.room !== undefined && '--room', flags.port !== undefined && '--port', flags.usb !== undefined && '--usb'].filter(x => x !== false)
  const choices = flags.usb !== undefined ? '--emulator, --room, --port and --usb' : '--emulator, --room and --port'
  if (named.length > 1) throw new UserError(`choose one of ${choices}, not ${named.join(' and ')}`)
  return flags.room !== undefined ? 'room' : flags.port !== undefined ? 'serial' : flags.usb !== undefined ? 'usb' : 'emulator'
}

/** Highest speed a station offers in a served room unless asked: SIR, where the room's timing is sound. */
export const ROOM_DEFAULT_SPEED = 115_200

/**
 * Opens the station `station` on the medium the flags choose. In a served room the name gets
 * this process's id, so two runs of one command can share a room, and the port has the SIR
 * speeds only unless `maxSpeed` asks for more. Opening failures (no room on the socket, a tty
 * that does not open) are {@link UserError}s.
 */
export async function openMedium (flags: MediumFlags, station: string, opts: { seed?: number, maxSpeed?: number } = {}): Promise<OpenMedium> {
  const kind = mediumKind(flags)
  const awaitIt = async <T>(p: Promise<T>): Promise<T> => await p
  if (kind === 'room') {
    const address = flags.room ?? ''
    let port
    try {
      const top = opts.maxSpeed ?? ROOM_DEFAULT_SPEED
      port = await connectRoom(address, { name: `${station}-${process.pid}`, supportedSpeeds: SPEEDS.filter(s => s <= top && s <= 4_000_000) })
    } catch (e) {
      throw new UserError(`cannot join the room: ${oneLine(e)}`)
    }
    return { kind, port, label: `room ${address}`, run: awaitIt, close: async () => { await port.close() } }
  }
  if (kind === 'usb') {
    const { port, label } = await openUsbMedium(flags.usb ?? '', flags.firmware)
    return { kind, port, label, run: awaitIt, close: async () => { await port.close().catch(() => {}) } }
  }
  if (kind === 'serial') {
    const path = flags.port ?? ''
    const dongle = flags.dongle ?? 'none'
    let port
    try {
      port = await openSerialPort({ path, dongle })
    } catch (e) {
      throw new UserError(`cannot open ${path} with dongle ${dongle}: ${oneLine(e)}`)
    }
    return { kind, port, label: `${path} (${dongle})`, run: awaitIt, close: async () => { await port.close().catch(() => {}) } }
  }
  const room = new Room({ time: 'virtual', seed: opts.seed ?? 1 })
  return {
    kind,
    port: room.port(station),
    label: 'emulator',
    room,
    run: async p => await room.run(p),
    close: async () => { await room.close() },
  }
}
