/*!
 * `irda extcap`: Wireshark's extcap interface, so Wireshark and tshark list irdakit's sources
 * (a served room, a serial dongle) as capture interfaces and capture from them live; and
 * `--install` / `--uninstall` of the entry in the user's extcap folder. Wireshark calls it with
 * one of `--extcap-interfaces`, `--extcap-dlts`, `--extcap-config`, `--extcap-capture-filter`
 * or `--capture`; see docs/extcap.md.
 */
import type { Command } from 'commander'
import { dongleProfiles } from '@irdakit/serial'
import { parseSpeed } from '../args.js'
import { Output, UserError } from '../output.js'
import { CLI_VERSION } from '../version.js'
import { defaultRoomSocket } from './room.js'
import { EXTCAP_DONGLE, EXTCAP_INTERFACES, EXTCAP_ROOM, extcapConfig, extcapDlts, extcapFilterProblem, extcapInterfaces, isExtcapInterface, type ExtcapInterface } from '../extcap.js'
import { extcapCaptureDongle, extcapCaptureRoom } from '../extcap-capture.js'
import { installExtcap, personalExtcapDir, uninstallExtcap, wiresharkVersion } from '../extcap-install.js'

interface ExtcapFlags {
  extcapInterfaces?: boolean
  extcapVersion?: string | boolean
  extcapInterface?: string
  extcapDlts?: boolean
  extcapConfig?: boolean
  extcapCaptureFilter?: string
  capture?: boolean
  fifo?: string
  room?: string
  perspective?: string
  port?: string
  usb?: string
  dongle: string
  speed?: number
  follow: boolean
  install?: boolean
  uninstall?: boolean
  dir?: string
  json?: boolean
}

export function registerExtcap (program: Command): void {
  program.command('extcap')
    .description('Wireshark extcap: capture live from a served room or a dongle in Wireshark/tshark; --install puts the entry in your extcap folder')
    .option('--install', 'install the `irdakit` entry into your personal Wireshark extcap folder (or --dir)')
    .option('--uninstall', 'remove the entry from your extcap folders (or --dir)')
    .option('--dir <folder>', 'with --install/--uninstall: this extcap folder instead of the one your Wireshark reads')
    .option('--extcap-interfaces', '(Wireshark) list the capture interfaces')
    .option('--extcap-version [version]', '(Wireshark) the version of Wireshark asking')
    .option('--extcap-interface <name>', `(Wireshark) the interface: ${EXTCAP_INTERFACES.join(' or ')}`)
    .option('--extcap-dlts', '(Wireshark) the link type of the interface')
    .option('--extcap-config', '(Wireshark) the options of the interface')
    .option('--extcap-capture-filter <filter>', '(Wireshark) check a capture filter (none is supported)')
    .option('--capture', '(Wireshark) capture into --fifo until stopped')
    .option('--fifo <path>', '(Wireshark) the fifo to write the pcap to')
    .option('--room <socket>', `${EXTCAP_ROOM}: the socket of \`irda room serve\` (default ${defaultRoomSocket()})`)
    .option('--perspective <station>', `${EXTCAP_ROOM}: frames this station sends are outgoing`)
    .option('--port <path>', `${EXTCAP_DONGLE}: the serial port of the dongle`)
    .option('--dongle <name>', `${EXTCAP_DONGLE}: the dongle profile (see irda dongles)`, 'none')
    .option('--usb <vid:pid|index>', `${EXTCAP_DONGLE}: a USB IrDA dongle instead of --port (see irda dongles)`)
    .option('--speed <bps>', `${EXTCAP_DONGLE}: speed to listen at first (default 9600)`, parseSpeed)
    .option('--no-follow', `${EXTCAP_DONGLE}: stay at one speed instead of following the SNRM/UA negotiation`)
    .option('--json', 'with --install/--uninstall: one JSON document')
    // A later Wireshark may pass options this version does not know (control pipes, reload): not fatal.
    .allowUnknownOption(true)
    .action(async (flags: ExtcapFlags) => { await extcap(flags) })
}

async function extcap (flags: ExtcapFlags): Promise<void> {
  if (flags.install === true || flags.uninstall === true) { install(flags); return }
  if (flags.extcapInterfaces === true) { process.stdout.write(extcapInterfaces(CLI_VERSION)); return }
  if (flags.extcapVersion !== undefined && flags.extcapInterface === undefined && flags.capture !== true) {
    process.stdout.write(extcapInterfaces(CLI_VERSION).split('\n')[0] + '\n')
    return
  }
  const asked = flags.extcapDlts === true || flags.extcapConfig === true || flags.extcapCaptureFilter !== undefined || flags.capture === true
  if (!asked) throw new UserError('nothing to do: irda extcap is called by Wireshark (see docs/extcap.md); to set it up, run irda extcap --install')
  const iface = checkedInterface(flags.extcapInterface)
  if (flags.extcapDlts === true) { process.stdout.write(extcapDlts()); return }
  if (flags.extcapConfig === true) {
    process.stdout.write(extcapConfig(iface, { defaultRoomSocket: defaultRoomSocket(), dongles: dongleProfiles().map(p => p.name) }))
    return
  }
  if (flags.extcapCaptureFilter !== undefined) {
    const problem = extcapFilterProblem(flags.extcapCaptureFilter)
    // Wireshark reads a refused filter's reason from stdout and the verdict from the exit code.
    if (problem !== undefined) { process.stdout.write(problem + '\n'); process.exitCode = 1 }
    return
  }
  await capture(iface, flags)
}

function checkedInterface (name: string | undefined): ExtcapInterface {
  if (name === undefined) throw new UserError(`--extcap-interface is needed: ${EXTCAP_INTERFACES.join(' or ')}`)
  if (!isExtcapInterface(name)) throw new UserError(`unknown extcap interface ${name}: ${EXTCAP_INTERFACES.join(' or ')}`)
  return name
}

async function capture (iface: ExtcapInterface, flags: ExtcapFlags): Promise<void> {
  if (flags.fifo === undefined) throw new UserError('--capture needs --fifo <path>')
  if (iface === EXTCAP_ROOM) {
    await extcapCaptureRoom({ room: flags.room ?? defaultRoomSocket(), fifo: flags.fifo, ...(flags.perspective !== undefined ? { perspective: flags.perspective } : {}) })
    return
  }
  await extcapCaptureDongle({ dongle: flags.dongle, follow: flags.follow, fifo: flags.fifo, ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.usb !== undefined ? { usb: flags.usb } : {}), ...(flags.speed !== undefined ? { speed: flags.speed } : {}) })
}

function install (flags: ExtcapFlags): void {
  const out = new Output({ json: flags.json === true })
  if (flags.install === true && flags.uninstall === true) throw new UserError('choose one of --install and --uninstall')
  const version = flags.dir === undefined ? wiresharkVersion() : undefined
  if (flags.install === true) {
    const dir = flags.dir ?? personalExtcapDir(version)
    const r = installExtcap(dir)
    if (out.json) { out.emitJson({ command: 'extcap', installed: r.path, replaced: r.replaced, wireshark: version?.text ?? null }); return }
    out.line(`${r.replaced ? 'replaced' : 'installed'} ${r.path}`)
    out.line(flags.dir !== undefined
      ? 'Wireshark lists its interfaces when it reads that folder'
      : version !== undefined
        ? `for Wireshark ${version.text}; it lists ${EXTCAP_INTERFACES.join(' and ')} among its interfaces (tshark -D)`
        : `Wireshark not found; this is the folder of Wireshark 4.2 and later (older ones: irda extcap --install --dir ~/.config/wireshark/extcap)`)
    return
  }
  // Every folder a Wireshark of any version reads, so an upgrade leaves nothing behind.
  const dirs = flags.dir !== undefined ? [flags.dir] : [personalExtcapDir(undefined), personalExtcapDir({ major: 4, minor: 0, patch: 0, text: '4.0.0' })]
  const removed = uninstallExtcap(dirs)
  if (out.json) { out.emitJson({ command: 'extcap', removed }); return }
  out.line(removed.length === 0 ? `no irdakit entry in ${dirs.join(' or ')}` : removed.map(p => `removed ${p}`).join('\n'))
}
