/*!
 * What `irda serve`, `send` and `recv` share: their options, the stack on the chosen medium,
 * connecting to a service with one-line errors, storing received files, and the summary line.
 */
import { once } from 'node:events'
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import type { Clock } from '@irdakit/core'
import { connect, IrSockError, type IrSocket } from '@irdakit/irsock'
import { IrdaStack } from '@irdakit/stack'
import { SPEEDS } from '@irdakit/phy'
import { parseSeed, parseSpeed } from './args.js'
import { mediumOptions, ROOM_DEFAULT_SPEED, type MediumFlags, type OpenMedium } from './medium.js'
import { UserError, hex32, oneLine } from './output.js'

/** The IAS class `irda serve` registers and `send`/`recv` look up unless told otherwise. */
export const DEFAULT_SERVICE = 'irdakit:files'

export interface TransferFlags extends MediumFlags { speed?: number, seed?: number, json?: boolean }

/** The seed of an in-process room (default 1, so runs repeat); elsewhere a stack is seeded only when asked. */
export const roomSeed = (flags: TransferFlags): number => flags.seed ?? 1

export function parseDeviceAddress (v: string): number {
  const n = Number(v)
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(v.trim()) || !Number.isInteger(n) || n <= 0 || n >= 0xFFFFFFFF) {
    throw new InvalidArgumentError('must be a 32-bit device address such as 0x1234abcd (not 0 or 0xffffffff)')
  }
  return n
}

/** The medium, speed, seed and JSON options of the three commands. */
export function transferOptions (cmd: Command): Command {
  return mediumOptions(cmd, 'an emulated room in this process with the other side in it (the default)')
    .option('--speed <bps>', `highest speed to offer (default: every speed the port has; ${ROOM_DEFAULT_SPEED} in a served room)`, parseSpeed)
    .option('--seed <n>', 'seed for the emulated room and the stacks (default 1 in the emulator; random elsewhere, so device addresses differ)', parseSeed)
    .option('--json', 'machine-readable output')
}

/** Our stack on the medium, offering speeds up to `--speed`. */
export function stackOn (medium: OpenMedium, nickname: string, flags: TransferFlags): IrdaStack {
  const top = flags.speed ?? (medium.kind === 'room' ? ROOM_DEFAULT_SPEED : Infinity)
  const speeds = medium.port.supportedSpeeds.filter(s => s <= top)
  if (speeds.length === 0) throw new UserError(`${medium.label} cannot run at ${top} b/s or below (it has ${medium.port.supportedSpeeds.join(', ')})`)
  // Two processes in one room must not draw the same device address: seed only when asked, or in-process.
  const seed = flags.seed !== undefined ? flags.seed * 10 : medium.kind === 'emulator' ? 10 : undefined
  return IrdaStack.create({ port: medium.port, nickname, ...(seed !== undefined ? { seed } : {}), qos: { speeds } })
}

/** The speeds a counterpart in the in-process room offers: the same cap. */
export const emulatedSpeeds = (flags: TransferFlags): number[] => SPEEDS.filter(s => s <= (flags.speed ?? 4_000_000) && s <= 4_000_000)

/** Connects to `service` (on `device`, or the one device offering it; `nineWire` for IrCOMM). Failures are one line, exit 1. */
export async function connectService (stack: IrdaStack, service: string, device: number | undefined, opts: { nineWire?: boolean } = {}): Promise<IrSocket> {
  const socket = connect(stack, { service, ...(device !== undefined ? { deviceAddress: device } : {}), ...opts })
  try {
    await once(socket, 'connect')
  } catch (e) {
    throw new UserError(e instanceof IrSockError ? e.message : `cannot connect to ${service}: ${oneLine(e)}`, 1)
  }
  return socket
}

/** Waits until the socket has closed (after `end()` TinyTP flushes first). */
export async function closed (socket: IrSocket): Promise<void> {
  if (socket.closed) return
  await once(socket, 'close').catch(() => {})
}

/**
 * Lets the peer hang up first, waiting at most `ms` on the stack's clock, then ends our side.
 * The side that wrote the last message of the exchange does this: ending at once would race
 * its own message (closing the stack right after can drop what IrLAP still holds).
 */
export async function peerHangsUp (socket: IrSocket, clock: Clock, ms = 5000): Promise<void> {
  if (!socket.closed) {
    await new Promise<void>(resolve => {
      const timer = clock.setTimer(clock.now() + ms, resolve)
      socket.once('close', () => { timer.cancel(); resolve() })
    })
  }
  socket.end()
  await closed(socket)
}

/**
 * Waits (on the stack's clock, at most `ms`) until IrLAP has no link. A server that is done
 * lets the connecting side, the primary, take the link down: closing first would leave the
 * primary repeating DISC to a station that has gone.
 */
export async function linkDown (stack: IrdaStack, ms = 3000): Promise<void> {
  const deadline = stack.clock.now() + ms
  while (stack.station.link !== undefined && stack.clock.now() < deadline) {
    await new Promise<void>(resolve => { stack.clock.setTimer(stack.clock.now() + 50, resolve) })
  }
}

/** Writes `data` to `path` whole or not at all (through a `.part` file). */
export function storeFile (path: string, data: Uint8Array): void {
  const part = `${path}.part`
  writeFileSync(part, data)
  renameSync(part, path)
}

/** Refuses to overwrite: the error's message is what the sender is told. */
export function mustNotExist (path: string): void {
  if (existsSync(path)) throw new Error(`${path} already exists`)
}

export function isDirectory (path: string): boolean {
  try { return statSync(path).isDirectory() } catch { return false }
}

/** Seconds and bytes per second of a transfer on `clock` (virtual time in the emulator). */
export function timing (clock: Clock, t0: number, bytes: number): { seconds: number, bytesPerSecond: number } {
  const ms = Math.max(clock.now() - t0, 0.001)
  return { seconds: Number((ms / 1000).toFixed(3)), bytesPerSecond: Math.round(bytes / (ms / 1000)) }
}

/**
 * A client's whole session for `irda send` and `irda recv`: connects to `flags.service` (timed),
 * runs `exchange` on the socket (timed, by the bytes it reports), lets `hangUp` end the
 * connection, and closes the stack whatever happens.
 */
export async function clientSession<T extends { bytes: number }> (
  stack: IrdaStack,
  flags: { service: string, device?: number },
  exchange: (socket: IrSocket) => Promise<T>,
  hangUp: (socket: IrSocket) => Promise<void>,
): Promise<{ outcome: T, peer: string, connectSeconds: number, seconds: number, bytesPerSecond: number }> {
  const clock = stack.clock
  try {
    const t0 = clock.now()
    const socket = await connectService(stack, flags.service, flags.device)
    const connectSeconds = timing(clock, t0, 0).seconds
    socket.on('error', () => {}) // `exchange` reports what goes wrong while it runs
    const t1 = clock.now()
    const outcome = await exchange(socket)
    const t = timing(clock, t1, outcome.bytes)
    await hangUp(socket)
    return { outcome, peer: peerText(socket), connectSeconds, ...t }
  } finally {
    await stack.close()
  }
}

export const crcHex = (crc: number): string => (crc >>> 0).toString(16).padStart(8, '0')

export const peerText = (socket: IrSocket): string => socket.deviceAddress !== undefined ? hex32(socket.deviceAddress) : 'the peer'
