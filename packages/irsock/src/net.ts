/*!
 * The Node-style IrSock API: `createServer`, `connect` and `enumDevices` over one IrdaStack,
 * for people who write Node rather than Winsock. Sockets are Duplex streams whose
 * backpressure is TinyTP credit; errors are {@link IrSockError}s carrying the Winsock code
 * the Winsock API would report (never WSAENETDOWN). See docs/irsock-node.md.
 *
 * connect({ service }) without a device address does what Linux's AF_IRDA does: discover
 * (retrying an empty discovery), query every device's IAS for the service, and connect to the
 * one device that offers it. Nobody answering is WSAETIMEDOUT, nobody offering the service
 * WSAECONNREFUSED, several offering it WSAEADDRNOTAVAIL (Linux: ENOTUNIQ), a medium so busy that
 * no discovery could run (and nobody known) WSAEWOULDBLOCK, as IRLMP_ENUMDEVICES reports it.
 */
import { IrdaError } from '@irdakit/core'
import { ConnectionError, IasQueryError, type DeviceInfo, type IrdaStack, type TtpSocket } from '@irdakit/stack'
import { deviceIdFromAddress, parseLsapSelName } from './af_irda.js'
import { connectFailure, TINYTP_LSAPSEL_ATTRIBUTE } from './irsock.js'
import { stackFailure } from './errors.js'
import { IrSockError, type IrSockSyscall } from './net-errors.js'
import { IrSocket, type IrSocketOptions } from './net-socket.js'
import { WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAECONNREFUSED, WSAEINVAL, WSAETIMEDOUT, WSAEWOULDBLOCK } from './winsock.js'

export { IrSockError, wsaErrorName, type IrSockSyscall } from './net-errors.js'
export { IrSocket, type IrSocketOptions, type IrSocketSource } from './net-socket.js'
export { IrServer, createServer, effectiveBacklog, type IrServerOptions, type IrListenOptions, type IrServerAddress, type IrServerEvents } from './net-server.js'

export interface IrConnectOptions extends IrSocketOptions {
  /** An IAS class to look up (IrDA:TinyTP:LsapSel), or 'LSAP-SELxxx' for a fixed selector. */
  service: string
  /** The peer; without it, discovery finds the one device offering `service`. */
  deviceAddress?: number
  /** Discovery rounds before giving up when nobody answers. Default 3. */
  retries?: number
  /** Discovery slots. Default 6. */
  slots?: 1 | 6 | 8 | 16
}

export interface EnumDevicesOptions {
  /** Discovery slots. Default 6. */
  slots?: 1 | 6 | 8 | 16
  /** Discovery rounds while nobody answers. Default 3. */
  retries?: number
}

/** A device found by discovery (IRDA_DEVICE_INFO, typed). */
export interface IrdaDevice {
  deviceAddress: number
  /** The 4 irdaDeviceID bytes of af_irda.h (the address, little-endian). */
  deviceId: Uint8Array
  name: string
  /** The raw service hint bytes. */
  hints: number[]
  charset: number
  /** The hint bits by name: 'PnP', 'PDA', 'Computer', 'Printer', 'Modem', 'Fax', 'LAN', 'Telephony', 'FileServer', 'IrCOMM', ... */
  services: string[]
}

/** Hint bit names: byte 1 (IrLMP 1.1 section 3.4.1), then byte 2 (present when byte 1 has the extension bit). */
const HINT_NAMES: ReadonlyArray<readonly string[]> = [
  ['PnP', 'PDA', 'Computer', 'Printer', 'Modem', 'Fax', 'LAN'],
  ['Telephony', 'FileServer', 'IrCOMM', 'Message', 'HTTP', 'IrOBEX'],
]

/** The names of the hint bits set in `hints` (extension bytes followed while bit 0x80 is set). */
export function hintServices (hints: ArrayLike<number>): string[] {
  const out: string[] = []
  for (let i = 0; i < HINT_NAMES.length && i < hints.length; i++) {
    HINT_NAMES[i].forEach((name, bit) => { if ((hints[i] & (1 << bit)) !== 0) out.push(name) })
    if ((hints[i] & 0x80) === 0) break
  }
  return out
}

const DEFAULT_ROUNDS = 3
/** How long a query or connect waits for a link to another device to close (IrLMP keeps an idle link 2 s). */
const LINK_WAIT_MS = 5000
const LINK_RETRY_MS = 100

/**
 * Discovers, retrying while nobody answers (as applications do around IRLMP_ENUMDEVICES); one
 * entry per device. Throws WSAEWOULDBLOCK (for `syscall`) when the medium was busy in every
 * round and nobody is known: "nobody there" would be a wrong answer, "try again" is the right one.
 */
async function discoverDevices (stack: IrdaStack, opts: EnumDevicesOptions, syscall: IrSockSyscall): Promise<DeviceInfo[]> {
  const rounds = Math.max(1, opts.retries ?? DEFAULT_ROUNDS)
  let busy = 0
  for (let i = 0; i < rounds; i++) {
    let found: DeviceInfo[]
    try {
      const r = await stack.runDiscovery(opts.slots !== undefined ? { slots: opts.slots } : {})
      if (r.status === 'stack-closed') return [] // a closed stack finds nobody
      if (r.status === 'media-busy') busy++
      found = r.devices
    } catch (e) {
      if (!(e instanceof IrdaError)) throw e // a bug, not "nobody there"
      return [] // a closed stack finds nobody
    }
    const seen = new Set<number>()
    const unique = found.filter(d => !seen.has(d.deviceAddress) && seen.add(d.deviceAddress) !== undefined)
    if (unique.length > 0) return unique
  }
  if (busy === rounds) throw new IrSockError(WSAEWOULDBLOCK, syscall, `the medium was busy in all ${rounds} discoveries; try again`)
  return []
}

/**
 * Runs discovery and returns typed device records: an empty list when nobody answered; rejects
 * with WSAEWOULDBLOCK when the medium was too busy to discover at all (as IRLMP_ENUMDEVICES).
 */
export async function enumDevices (stack: IrdaStack, opts: EnumDevicesOptions = {}): Promise<IrdaDevice[]> {
  return (await discoverDevices(stack, opts, 'enumDevices')).map(d => ({
    deviceAddress: d.deviceAddress,
    deviceId: deviceIdFromAddress(d.deviceAddress),
    name: d.nickname,
    hints: Array.from(d.hints),
    charset: d.charset,
    services: hintServices(d.hints),
  }))
}

/** 0x-hex for a 32-bit address; anything else as given, so an error names what the caller passed. */
const hex = (a: number): string => Number.isInteger(a) && a >= 0 && a <= 0xFFFFFFFF ? `0x${a.toString(16).padStart(8, '0')}` : String(a)

/** IrLMP keeps one link at a time: wait (on the stack's clock) while another device's link is closing. */
async function onFreeLink<T> (stack: IrdaStack, work: () => Promise<T>): Promise<T> {
  const deadline = stack.clock.now() + LINK_WAIT_MS
  for (;;) {
    try {
      return await work()
    } catch (e) {
      if (!(e instanceof Error && e.name === 'LmLinkBusyError')) throw e
      if (stack.clock.now() >= deadline) throw new IrSockError(WSAEADDRINUSE, 'connect', e.message, { cause: e })
      await new Promise<void>(resolve => stack.clock.setTimer(stack.clock.now() + LINK_RETRY_MS, resolve))
    }
  }
}

/** The selector `service` has on `device` per its IAS, undefined when it has none. Throws IrSockError when the query fails. */
async function lookupLsap (stack: IrdaStack, device: number, service: string): Promise<number | undefined> {
  try {
    const r = await onFreeLink(stack, async () => await stack.iasQuery(device, service, TINYTP_LSAPSEL_ATTRIBUTE))
    const v = r.entries[0]?.value
    return r.returnCode === 0 && v?.type === 'integer' ? v.value : undefined
  } catch (e) {
    if (e instanceof IrSockError) throw e
    // As the Winsock API: a reserved address is WSAEADDRNOTAVAIL; an irdakit bug is thrown on, not called WSAECONNABORTED.
    const code = stackFailure(e, e instanceof IasQueryError ? connectFailure(e.kind) : undefined)
    throw new IrSockError(code, 'connect', `IAS query on ${hex(device)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
}

/** Where `service` lives: the given device, or the one discovered device offering it. */
async function resolveService (stack: IrdaStack, opts: IrConnectOptions, aborted: () => boolean): Promise<{ deviceAddress: number, lsap: number } | undefined> {
  const { service } = opts
  const fixed = parseLsapSelName(service)
  if (service === '') throw new IrSockError(WSAEINVAL, 'connect', 'empty service name')
  if (fixed === undefined && service.startsWith('LSAP-SEL')) throw new IrSockError(WSAEADDRNOTAVAIL, 'connect', `${service} is not LSAP-SEL1..127`)
  if (opts.deviceAddress !== undefined) {
    const lsap = fixed ?? await lookupLsap(stack, opts.deviceAddress, service)
    if (lsap === undefined) throw new IrSockError(WSAECONNREFUSED, 'connect', `${hex(opts.deviceAddress)} offers no ${service}`)
    return { deviceAddress: opts.deviceAddress, lsap }
  }
  const devices = await discoverDevices(stack, opts, 'connect')
  if (aborted()) return undefined
  if (devices.length === 0) throw new IrSockError(WSAETIMEDOUT, 'connect', 'no device answered discovery')
  if (fixed !== undefined) {
    // A fixed selector cannot be checked without connecting: it needs exactly one device in range.
    if (devices.length > 1) throw new IrSockError(WSAEADDRNOTAVAIL, 'connect', `${service} is ambiguous: ${devices.length} devices answered (${devices.map(d => hex(d.deviceAddress)).join(', ')})`)
    return { deviceAddress: devices[0].deviceAddress, lsap: fixed }
  }
  const offers: Array<{ deviceAddress: number, lsap: number }> = []
  let failure: IrSockError | undefined
  for (const d of devices) {
    try {
      const lsap = await lookupLsap(stack, d.deviceAddress, service)
      if (lsap !== undefined) offers.push({ deviceAddress: d.deviceAddress, lsap })
    } catch (e) {
      failure = e as IrSockError // a device that left after discovery offers nothing
    }
    if (aborted()) return undefined
  }
  if (offers.length > 1) throw new IrSockError(WSAEADDRNOTAVAIL, 'connect', `${service} is offered by ${offers.length} devices (${offers.map(o => hex(o.deviceAddress)).join(', ')}); give a deviceAddress`)
  if (offers.length === 1) return offers[0]
  if (failure !== undefined && devices.length === 1) throw failure
  throw new IrSockError(WSAECONNREFUSED, 'connect', `no device offers ${service}`)
}

/** Discovery or IAS, then the TinyTP connect; undefined when the socket was destroyed meanwhile. */
async function open (stack: IrdaStack, opts: IrConnectOptions, socket: IrSocket): Promise<{ ttp: TtpSocket } | undefined> {
  const aborted = (): boolean => socket.destroyed
  const target = await resolveService(stack, opts, aborted)
  if (target === undefined || aborted()) return undefined
  try {
    const ttp = await onFreeLink(stack, async () => await stack.ttpConnect({
      deviceAddress: target.deviceAddress,
      remoteLsap: target.lsap,
      ...(opts.rxWindow !== undefined ? { rxWindow: opts.rxWindow } : {}),
      ...(opts.nineWire === true ? { maxSduSize: 0 } : {}), // IrCOMM runs TinyTP without SAR
    }))
    return { ttp }
  } catch (e) {
    if (e instanceof IrSockError) throw e
    const code = stackFailure(e, e instanceof ConnectionError ? connectFailure(e.kind) : undefined)
    throw new IrSockError(code, 'connect', `${opts.service} on ${hex(target.deviceAddress)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
}

/**
 * Connects to `service` (on `deviceAddress`, or on the one discovered device offering it).
 * Returns the socket at once, as `net.connect` does; 'connect' follows, or 'error' then 'close'.
 */
export function connect (stack: IrdaStack, opts: IrConnectOptions, onConnect?: () => void): IrSocket {
  const socket = new IrSocket(opts.service, { open: async s => await open(stack, opts, s) }, opts)
  if (onConnect !== undefined) socket.once('connect', onConnect)
  return socket
}
