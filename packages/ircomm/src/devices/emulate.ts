/*!
 * Emulated IrCOMM devices on a stack, for tests and for developers without the hardware:
 * - a phone: 9-wire IrCOMM service answering AT commands ({@link AtPhone});
 * - an MCP2150-style instrument: what Microchip's MCP2150 IrDA protocol controller shows a host
 *   (datasheet DS21655): secondary only (it answers discovery, never discovers or connects),
 *   device name "Generic IrDA", IrCOMM 9-wire cooked only, 64-byte IrLAP data packets (so at
 *   most 60 user bytes per frame), and a UART behind it at a fixed rate (9600 here): it reports
 *   that rate and does not follow the host's data rate changes. The instrument answers every
 *   line it receives with one reading.
 *
 * Each returns its stack (created on the given port with the right nickname, hints and QoS)
 * and a close function. The stack's clock is the only time source.
 */
import type { Port } from '@irdakit/core'
import { IrdaStack } from '@irdakit/stack'
import { IRCOMM_HINTS, listenIrcomm, type IrcommServer } from '../connect.js'
import type { IrcommPort } from '../port.js'
import { SERVICE } from '../params.js'
import { AtPhone, type AtPhoneOptions } from './at-phone.js'

export interface EmulatedDevice {
  stack: IrdaStack
  server: IrcommServer
  /** Connections taken so far. */
  readonly connections: IrcommPort[]
  close: () => Promise<void>
}

export interface EmulatePhoneOptions extends AtPhoneOptions {
  nickname?: string
  seed?: number
  speeds?: number[]
  /** Called with each command line the phone executes. */
  onCommand?: (line: string) => void
}

/** Phone hint bits: byte 0 telephony (0x02) + extension, byte 1 IrCOMM (IrLMP 1.1 section 3.4.1). */
export const PHONE_HINTS = [0x82, 0x04]

/**
 * Writes an answer; when the peer does not read (no TinyTP credit comes back), stops reading
 * its requests until our answers drain, so a client that asks without reading stops itself
 * instead of growing our queue.
 */
function answer (conn: IrcommPort, text: string): void {
  if (conn.write(text)) return
  conn.pause()
  conn.once('drain', () => conn.resume())
}

export function emulatePhone (port: Port, opts: EmulatePhoneOptions = {}): EmulatedDevice {
  const stack = IrdaStack.create({ port, nickname: opts.nickname ?? 'IrPhone', hints: PHONE_HINTS, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), qos: { speeds: opts.speeds ?? port.supportedSpeeds } })
  const connections: IrcommPort[] = []
  const server = listenIrcomm(stack, { services: SERVICE.THREE_WIRE | SERVICE.NINE_WIRE, portName: 'MODEM' }, conn => {
    connections.push(conn)
    const phone = new AtPhone(opts)
    let seen = 0
    conn.on('data', (chunk: Buffer) => {
      const reply = phone.input(chunk)
      for (; seen < phone.commands.length; seen++) opts.onCommand?.(phone.commands[seen])
      if (reply !== '') answer(conn, reply)
    })
    conn.on('error', () => {})
  })
  return { stack, server, connections, close: async () => { server.close(); await stack.close() } }
}

export interface EmulateMcp2150Options {
  seed?: number
  /** IR speeds the chip offers (it starts at 9600 as every IrDA link does). Default 9600..115200. */
  speeds?: number[]
  /** The fixed UART rate behind the chip. Default 9600. */
  uartRate?: number
  /** Service types offered. Default 9-wire only, as the datasheet says; 0x02 for a 3-wire variant. */
  services?: number
  /** What the instrument measures: called per reading. */
  reading?: (n: number) => string
}

export const MCP2150_NICKNAME = 'Generic IrDA'
/** The MCP2150's IrLAP data size: 64-byte packets. */
export const MCP2150_DATA_SIZE = 64

export function emulateMcp2150 (port: Port, opts: EmulateMcp2150Options = {}): EmulatedDevice {
  const speeds = opts.speeds ?? port.supportedSpeeds.filter(s => s >= 9600 && s <= 115_200)
  const stack = IrdaStack.create({
    port, nickname: MCP2150_NICKNAME, hints: IRCOMM_HINTS, ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    qos: { speeds, dataSize: MCP2150_DATA_SIZE, windowSize: 1 },
  })
  const uartRate = opts.uartRate ?? 9600
  const reading = opts.reading ?? ((n: number) => `#${n} T=21.${n % 10} C\r\n`)
  const connections: IrcommPort[] = []
  const server = listenIrcomm(stack, { services: opts.services ?? SERVICE.NINE_WIRE, settings: { dataRate: uartRate } }, conn => {
    connections.push(conn)
    let n = 0
    let line = 0
    // The UART rate is set by pins, not by the host: report it whenever the host asks for another.
    conn.on('settings', s => { if (s.dataRate !== uartRate) conn.sendParams([{ type: 'data-rate', bps: uartRate }]) })
    conn.on('data', (chunk: Buffer) => {
      for (const b of chunk) {
        if (b === 0x0D || b === 0x0A) { if (line > 0) { n++; answer(conn, reading(n)) } line = 0 } else line++
      }
    })
    conn.on('error', () => {})
  })
  return { stack, server, connections, close: async () => { server.close(); await stack.close() } }
}
