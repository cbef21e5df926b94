/*!
 * What `irda extcap` answers when Wireshark (or tshark, or dumpcap) asks, in the sentence format
 * of Wireshark's extcap interface (`man 4 extcap`, the Developer's Guide "Extcap"): one
 * `extcap {version=...}` line and an `interface {value=...}{display=...}` line per source for
 * `--extcap-interfaces`; a `dlt {number=...}` line for `--extcap-dlts`; `arg {...}` and
 * `value {...}` lines for `--extcap-config`. Every answer is text, built here without I/O so a
 * test can read it; the command prints it.
 */
import { SPEEDS } from '@irdakit/phy'
import { LINKTYPE_LINUX_IRDA } from '@irdakit/capture'

/** The sources irdakit offers Wireshark, one capture interface each. */
export const EXTCAP_ROOM = 'irdakit-room'
export const EXTCAP_DONGLE = 'irdakit-dongle'
export const EXTCAP_INTERFACES = [EXTCAP_ROOM, EXTCAP_DONGLE] as const
export type ExtcapInterface = typeof EXTCAP_INTERFACES[number]

export const isExtcapInterface = (name: string): name is ExtcapInterface => (EXTCAP_INTERFACES as readonly string[]).includes(name)

/** A sentence field holds no braces (the format has no escape for them), nor a line break. */
function field (key: string, value: string | number | boolean): string {
  return `{${key}=${String(value).replace(/[{}\r\n]/g, '')}}`
}

const sentence = (kind: string, fields: Array<[string, string | number | boolean]>): string =>
  `${kind} ${fields.map(([k, v]) => field(k, v)).join('')}`

/** A serial port's UART carries SIR only. */
const SIR_SPEEDS = SPEEDS.filter(s => s <= 115200)

const defaultIf = (yes: boolean): Array<[string, boolean]> => yes ? [['default', true]] : []

/** `--extcap-interfaces`: the version line, then one line per source. */
export function extcapInterfaces (version: string): string {
  return [
    sentence('extcap', [['version', version], ['display', 'irdakit: IrDA from an emulated room or a dongle']]),
    sentence('interface', [['value', EXTCAP_ROOM], ['display', 'irdakit: emulated IR room (irda room serve)']]),
    sentence('interface', [['value', EXTCAP_DONGLE], ['display', 'irdakit: IrDA dongle on a serial port (passive)']]),
  ].join('\n') + '\n'
}

/** `--extcap-dlts`: both sources write link type 144, Linux IrDA with its 16-byte pseudo-header. */
export function extcapDlts (): string {
  return sentence('dlt', [['number', LINKTYPE_LINUX_IRDA], ['name', 'LINUX_IRDA'], ['display', 'IrDA (Linux IrDA pseudo-header)']]) + '\n'
}

export interface ExtcapConfigContext {
  /** Where `irda room serve` listens by default: offered as the room's default socket. */
  defaultRoomSocket: string
  /** Dongle profile names, for the dongle selector. */
  dongles: readonly string[]
}

/**
 * `--extcap-config`: the options the capture dialog shows for one source. tshark passes each
 * default on the command line and takes other values as `-o extcap.<interface>.<option>:<value>`,
 * with '-' in the interface name written '_' (e.g. `-o extcap.irdakit_room.room:/tmp/r.sock`).
 */
export function extcapConfig (iface: ExtcapInterface, ctx: ExtcapConfigContext): string {
  const lines = iface === EXTCAP_ROOM
    ? [
        sentence('arg', [['number', 0], ['call', '--room'], ['display', 'Room socket'], ['type', 'string'], ['required', true],
          ['default', ctx.defaultRoomSocket], ['tooltip', 'the Unix socket `irda room serve` listens on']]),
        sentence('arg', [['number', 1], ['call', '--perspective'], ['display', 'Perspective station'], ['type', 'string'],
          ['tooltip', 'frames this station sends are marked outgoing (default: every frame incoming, as a sniffer sees them)']]),
      ]
    : [
        sentence('arg', [['number', 0], ['call', '--port'], ['display', 'Serial port'], ['type', 'string'],
          ['tooltip', 'the serial device of the dongle, e.g. /dev/ttyUSB0 (or give a USB dongle below)']]),
        sentence('arg', [['number', 1], ['call', '--dongle'], ['display', 'Dongle'], ['type', 'selector'], ['tooltip', 'the dongle profile (irda dongles lists them)']]),
        ...ctx.dongles.map(d => sentence('value', [['arg', 1], ['value', d], ['display', d], ...defaultIf(d === 'none')])),
        sentence('arg', [['number', 2], ['call', '--speed'], ['display', 'Listen at (bit/s)'], ['type', 'selector'], ['tooltip', 'the speed to listen at first']]),
        ...SIR_SPEEDS.map(s => sentence('value', [['arg', 2], ['value', s], ['display', String(s)], ...defaultIf(s === 9600)])),
        sentence('arg', [['number', 3], ['call', '--no-follow'], ['display', 'Stay at that speed'], ['type', 'boolflag'], ['default', false],
          ['tooltip', 'do not follow the speed the SNRM/UA exchange negotiates']]),
        sentence('arg', [['number', 4], ['call', '--usb'], ['display', 'USB dongle'], ['type', 'string'],
          ['tooltip', 'instead of a serial port: a USB IrDA dongle as vid:pid or index (irda dongles lists them), e.g. 9710:7780']]),
      ]
  return lines.join('\n') + '\n'
}

/**
 * `--extcap-capture-filter`: an IrDA capture has no BPF, so only an empty filter is valid.
 * Returns the message Wireshark shows for a refused filter, or undefined when it is accepted.
 */
export function extcapFilterProblem (filter: string): string | undefined {
  return filter.trim() === '' ? undefined : 'irdakit captures take no capture filter; use a display filter (e.g. irlmp) instead'
}
