/*!
 * `irda view`: the capture as a sequence diagram in the browser. Serves a page on 127.0.0.1 (a
 * port the system picks), prints its address and runs until ^C. The source is a pcap file
 * (indexed in the background, the page draws as it goes), or live: a room served by
 * `irda room serve`, a serial or USB dongle sniffing the air, or the demo's exchange in an emulated room.
 */
import type { Command } from 'commander'
import { SPEEDS } from '@irdakit/phy'
import { openPcapStore, pcapHeaderProblem, serveViewer, type CaptureStore } from '@irdakit/viewer'
import { Output, UserError, oneLine } from '../output.js'
import { parseBer, parseCount, parseSeed, parseSpeed } from '../args.js'
import { untilStopped } from '../live.js'
import { FIRMWARE_OPTION, USB_OPTION } from '../medium.js'
import { SpeedFollower } from '../speed-follower.js'
import { viewEmulator, viewRoom, viewSerial, type LiveView } from './view-live.js'

export interface ViewFlags {
  room?: string
  port?: string
  dongle: string
  usb?: string
  firmware?: string
  speed?: number
  pcap?: string
  emulator?: boolean
  ber: number
  bytes: number
  seed: number
}

export function registerView (program: Command): void {
  program.command('view')
    .description('draw a capture as a sequence diagram in the browser (a page on 127.0.0.1): a pcap file, or live from a room, a dongle or the emulator')
    .argument('[pcap]', 'capture file (LINKTYPE_LINUX_IRDA)')
    .option('--room <socket>', 'live from the room served by `irda room serve` on this socket')
    .option('--port <path>', 'live from a serial port with an IrDA dongle (passive: sends nothing)')
    .option('--dongle <name>', 'with --port: the dongle profile (see irda dongles)', 'none')
    .option(USB_OPTION[0], 'live from a USB IrDA dongle (see irda dongles; passive: sends nothing), e.g. 9710:7780')
    .option(...FIRMWARE_OPTION)
    .option('--speed <bps>', 'with --port or --usb: speed to listen at first (default 9600); with --emulator: top speed offered (default 115200)', parseSpeed)
    .option('--emulator', 'the demo exchange in an emulated room (discovery, connect, IAS, echo)')
    .option('--ber <rate>', 'with --emulator: bit error rate on the medium', parseBer, 0)
    .option('--bytes <n>', 'with --emulator: bytes the demo echoes', parseCount, 256)
    .option('--seed <n>', 'with --emulator: seed for the room and stacks', parseSeed, 1)
    .option('--pcap <file>', 'live sources: save the frames to this pcap (default: a temporary file, removed at the end)')
    .action(async (path: string | undefined, flags: ViewFlags) => {
      const sources = [path !== undefined, flags.port !== undefined, flags.usb !== undefined, flags.room !== undefined, flags.emulator === true].filter(Boolean).length
      if (sources > 1) throw new UserError('choose one source: a pcap file, --room <socket>, --port <path>, --usb <vid:pid|index> or --emulator')
      if (sources === 0) throw new UserError('nothing to view: name a pcap file, or --room <socket>, --port <path> --dongle <name>, --usb <vid:pid|index> or --emulator')
      const out = new Output({ json: false })
      if (path !== undefined) { await viewFile(out, path); return }
      const live = flags.room !== undefined ? await viewRoom(flags.room, flags) : flags.port !== undefined || flags.usb !== undefined ? await viewSerial(flags.port ?? '', flags) : await viewEmulator(flags)
      await serveUntilStopped(out, live.capture.store, live)
    })
}

async function viewFile (out: Output, path: string): Promise<void> {
  const problem = pcapHeaderProblem(path)
  if (problem !== undefined) throw new UserError(problem)
  // A pcap does not say its speed: read it off the SNRM/UA negotiation, as a sniffer does.
  const { store, indexed } = openPcapStore(path, { speedTracker: new SpeedFollower(SPEEDS) })
  void indexed.then(() => {
    const s = store.status
    if (s.error !== undefined) out.note(`irda: warning: ${path}: ${s.error}; the frames before it are shown`)
    else if (s.truncated !== undefined) out.note(`irda: warning: ${path}: ${s.truncated}; the frames before it are shown`)
  })
  await serveUntilStopped(out, store)
}

async function serveUntilStopped (out: Output, store: CaptureStore, live?: LiveView): Promise<void> {
  const run = untilStopped()
  let server
  try {
    server = await serveViewer(store)
  } catch (e) {
    run.dispose()
    await live?.stop()
    store.close()
    throw new UserError(`cannot serve the viewer: ${oneLine(e)}`, 1)
  }
  void live?.ended.then(err => { if (err !== undefined) out.note(`irda: the source ended: ${err}`) })
  out.line(`irda view: ${store.status.source} at ${server.url}`)
  out.note('open that address in a browser; ^C to stop')
  const reason = await run.stopped
  run.dispose()
  await server.close()
  await live?.stop()
  store.close()
  live?.cleanup()
  const n = store.count
  out.note(`${n} frames${typeof reason === 'string' ? '' : `; ${reason.error}`}${live?.savedTo !== undefined ? `; saved to ${live.savedTo}` : ''}`)
}
