/*!
 * `irda obex serve <dir>`: an OBEX inbox on a directory (IAS `OBEX` and `OBEX:IrXfer`, Folder
 * Browsing): takes pushes, serves gets and listings, never writes outside the directory and
 * refuses path tricks (see @irdakit/obex's DirectoryStore). One line per transfer, or one JSON
 * object per line with `--json`; ^C stops it. In the in-process room an emulated phone pushes
 * a vCard, lists the folder and fetches the vCard back.
 */
import type { Command } from 'commander'
import type { Room } from '@irdakit/emulator'
import { DirectoryStore, FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET, listenObex, OBEX_HINTS, ObexClient, responseText, type ObexActivity } from '@irdakit/obex'
import { IrdaStack } from '@irdakit/stack'
import { jsonLine, untilStopped, type StopReason } from '../live.js'
import { mediumKind, openMedium, ROOM_DEFAULT_SPEED, type OpenMedium } from '../medium.js'
import { Output, UserError, hex32 } from '../output.js'
import { emulatedSpeeds, isDirectory, linkDown, roomSeed, transferOptions, type TransferFlags } from '../transfer.js'

interface ServeFlags extends TransferFlags { once?: boolean, overwrite?: boolean }

/** What the emulated phone pushes to `irda obex serve` in the in-process room. */
export const EMULATED_VCARD = { name: 'jane.vcf', text: 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nTEL;CELL:+15550100\r\nEND:VCARD\r\n' }

export function registerObexServe (obex: Command): void {
  transferOptions(obex.command('serve')
    .description('an OBEX inbox on a directory: takes pushes, serves gets and folder listings')
    .argument('<dir>', 'the directory to serve (nothing is written outside it)')
    .option('--once', 'stop after the first client disconnects')
    .option('--overwrite', 'let a push replace a file of the same name (default: Conflict)'))
    .action(async (dir: string, flags: ServeFlags) => { await serve(dir, flags) })
}

function emulatedPhone (room: Room, flags: ServeFlags): void {
  const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: emulatedSpeeds(flags) }), nickname: 'emulated phone', hints: [...OBEX_HINTS], seed: roomSeed(flags) * 10 + 1 })
  void (async () => {
    const c = await ObexClient.connect(phone, { target: FOLDER_BROWSING_UUID })
    await c.put(EMULATED_VCARD.name, new TextEncoder().encode(EMULATED_VCARD.text), { type: 'text/x-vcard' }).catch(() => {})
    await c.list().catch(() => {})
    await c.getBytes(EMULATED_VCARD.name).catch(() => {})
    await c.close()
  })().catch(() => {})
}

/** Our stack, as `stackOn` makes it, with OBEX in the discovery hints so the device shows as an OBEX server. */
function obexStack (medium: OpenMedium, flags: ServeFlags): IrdaStack {
  const top = flags.speed ?? (medium.kind === 'room' ? ROOM_DEFAULT_SPEED : Infinity)
  const speeds = medium.port.supportedSpeeds.filter(s => s <= top)
  if (speeds.length === 0) throw new UserError(`${medium.label} cannot run at ${top} b/s or below`)
  const seed = flags.seed !== undefined ? flags.seed * 10 : medium.kind === 'emulator' ? 10 : undefined
  return IrdaStack.create({ port: medium.port, nickname: 'irda obex', hints: [...OBEX_HINTS], ...(seed !== undefined ? { seed } : {}), qos: { speeds } })
}

function describe (a: ObexActivity): string | undefined {
  const who = hex32(a.deviceAddress)
  const fail = (x: { ok: boolean, code: number, error?: string }): string => x.ok ? '' : `: refused, ${responseText(x.code)}${x.error !== undefined && x.error !== '' ? ` (${x.error})` : ''}`
  switch (a.type) {
    case 'connect': return `${who} connected${a.target !== undefined ? ' (Folder Browsing)' : ''}`
    case 'put': return `${a.ok ? 'received' : 'push of'} ${a.folder === '/' ? '' : a.folder + '/'}${a.name} from ${who}${a.ok ? `: ${a.bytes} bytes` : fail(a)}`
    case 'delete': return `delete ${a.name} from ${who}${a.ok ? ': done' : fail(a)}`
    case 'get': return `${a.ok ? 'sent' : 'get of'} ${a.name} to ${who}${a.ok ? `: ${a.bytes} bytes` : fail(a)}`
    case 'setpath': return a.ok ? undefined : `${who} could not change folder${fail(a)}`
    case 'abort': case 'timeout': return `${who}: ${a.op ?? 'operation'} ${a.type === 'abort' ? 'aborted' : 'timed out'}, partial data dropped`
    case 'malformed': return `${who} sent a bad packet: ${a.error}`
    case 'close': return `${who} disconnected`
    default: return undefined
  }
}

async function serve (dir: string, flags: ServeFlags): Promise<void> {
  const kind = mediumKind(flags)
  if (!isDirectory(dir)) throw new UserError(`${dir} is not a directory`)
  const out = new Output({ json: flags.json === true })
  const once = flags.once === true || kind === 'emulator'
  const stop = untilStopped()
  const medium = await openMedium(flags, 'obex-serve', { seed: roomSeed(flags), ...(flags.speed !== undefined ? { maxSpeed: flags.speed } : {}) }).catch((e: unknown) => { stop.dispose(); throw e })
  const counts = { received: 0, sent: 0, refused: 0, bytesIn: 0, bytesOut: 0 }
  let by: StopReason | 'once' = 'once'
  try {
    const stack = obexStack(medium, flags)
    let finished!: () => void
    const firstGone = new Promise<'once'>(resolve => { finished = () => { resolve('once') } })
    const server = listenObex(stack, {
      store: new DirectoryStore(dir, { overwrite: flags.overwrite === true }),
      targets: [FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET],
      onActivity: a => {
        if (a.type === 'close' && once) finished()
        if (a.type === 'put-progress') { out.progress(`receive ${a.name}`, a.bytes, a.length ?? a.bytes); return }
        if (a.type === 'put' && a.ok) { counts.received++; counts.bytesIn += a.bytes }
        if (a.type === 'get' && a.ok) { counts.sent++; counts.bytesOut += a.bytes }
        if ((a.type === 'put' || a.type === 'get' || a.type === 'delete') && !a.ok) counts.refused++
        if (out.json) { jsonLine({ event: a.type, ...a, deviceAddress: hex32(a.deviceAddress), ...('code' in a ? { code: `0x${a.code.toString(16)}`, response: responseText(a.code) } : {}), ...('target' in a && a.target !== undefined ? { target: Buffer.from(a.target).toString('hex') } : {}) }); return }
        const text = describe(a)
        if (text !== undefined) out.line(a.type === 'malformed' || ('ok' in a && !a.ok) ? out.style('red', text) : text)
      },
    })
    if (out.json) jsonLine({ event: 'listening', lsap: server.lsap, dir, medium: medium.label, deviceAddress: hex32(stack.deviceAddress), once })
    else out.line(`serving ${dir} over OBEX on ${medium.label} as ${hex32(stack.deviceAddress)} (LSAP ${server.lsap})${once ? ', until the first client leaves' : '; ^C to stop'}`)
    if (medium.room !== undefined) emulatedPhone(medium.room, flags)
    try {
      by = await medium.run(Promise.race([stop.stopped, firstGone]))
      if (by === 'once') await medium.run(linkDown(stack))
    } finally {
      server.close()
      await medium.run(stack.close())
    }
  } finally {
    stop.dispose()
    out.clearProgress()
    await medium.close()
  }
  const stoppedBy = typeof by === 'string' ? by : by.error
  if (out.json) { jsonLine({ event: 'summary', ...counts, stoppedBy }); return }
  out.note(`${counts.received} received (${counts.bytesIn} bytes), ${counts.sent} sent (${counts.bytesOut} bytes), ${counts.refused} refused`)
}
