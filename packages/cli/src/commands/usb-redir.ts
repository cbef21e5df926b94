/*!
 * `irda usb-redir`: gives a virtual machine an emulated USB IrDA dongle. A device model (see
 * `@irdakit/usb`) is served over usbredir to qemu's `-device usb-redir` (qemu listens on the
 * socket; connecting plugs the dongle in, ^C unplugs it), and the model's IR side is a station in
 * a room: one served by `irda room serve` (--room), or one in this process (--emulator, the
 * default) where an irdakit station answers discovery and serves `Echo` over TinyTP.
 */
import { connect } from 'node:net'
import type { Command } from 'commander'
import type { Port } from '@irdakit/core'
import { connectRoom, Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createModel, loadPatch, MODEL_NAMES, UsbredirDeviceServer, vidPid, type ModelName } from '@irdakit/usb'
import { jsonLine } from '../live.js'
import { Output, UserError, oneLine } from '../output.js'

interface UsbRedirFlags { model: string, socket: string, room?: string, emulator?: boolean, nickname: string, firmware?: string, json?: boolean }

export function registerUsbRedir (program: Command): void {
  program.command('usb-redir')
    .description('give a virtual machine an emulated USB IrDA dongle: serve a chip model to qemu -device usb-redir, its IR side in a room')
    .requiredOption('--model <chip>', `the dongle to emulate: ${MODEL_NAMES.join(', ')}`)
    .requiredOption('--socket <path>', 'qemu\'s usb-redir socket (qemu listens: -chardev socket,id=ur,path=<path>,server=on,wait=off -device usb-redir,chardev=ur)')
    .option('--room <socket>', 'the dongle\'s IR side joins the room served by `irda room serve` on this socket')
    .option('--emulator', 'the IR side is an emulated room here, with an irdakit station serving Echo (the default)')
    .option('--nickname <name>', 'with --emulator: the irdakit station\'s nickname', 'irdakit')
    .option('--firmware <file|dir>', 'with --model stir4210: the SigmaTel patch the virtual machine will upload (the model expects its image)')
    .option('--json', 'one JSON object per line (events), then a summary line')
    .action(async (flags: UsbRedirFlags) => { await usbRedir(flags) })
}

async function usbRedir (flags: UsbRedirFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const say = (event: string, text: string, fields: Record<string, unknown>): void => { if (out.json) jsonLine({ event, ...fields }); else out.line(text) }
  if (!(MODEL_NAMES as readonly string[]).includes(flags.model)) throw new UserError(`--model ${flags.model}: choose one of ${MODEL_NAMES.join(', ')}`)
  if (flags.room !== undefined && flags.emulator === true) throw new UserError('choose one of --room and --emulator, not both')
  const name = flags.model as ModelName
  let image: Uint8Array | undefined
  if (name === 'stir4210') {
    try { image = loadPatch(flags.firmware, 0x0100).image } catch (e) { throw new UserError(oneLine(e)) }
  }
  let station: Port
  let label: string
  let cleanup: () => Promise<void>
  let room: Room | undefined
  if (flags.room !== undefined) {
    try { station = await connectRoom(flags.room, { name: `usb-${name}-${process.pid}` }) } catch (e) { throw new UserError(`cannot join the room: ${oneLine(e)}`) }
    label = `the room on ${flags.room}`
    cleanup = async () => { await station.close().catch(() => {}) }
  } else {
    room = new Room({ time: 'real', seed: 1 })
    station = room.port(`usb-${name}`)
    const stack = IrdaStack.create({ port: room.port('irdakit'), nickname: flags.nickname })
    const server = stack.ttpListen()
    stack.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
    server.on('connection', s => {
      say('connection', `${flags.nickname}: a TinyTP connection to Echo`, {})
      s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) })
    })
    label = `an emulated room where "${flags.nickname}" serves Echo`
    const r = room
    cleanup = async () => { await stack.close().catch(() => {}); await r.close() }
  }
  const model = createModel(name, station.clock, station, image !== undefined ? { stir421xImage: image } : {})
  const sock = connect(flags.socket)
  try {
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject) })
  } catch (e) {
    await cleanup()
    throw new UserError(`cannot connect to qemu's usb-redir socket ${flags.socket}: ${oneLine(e)} (start qemu with -chardev socket,id=ur,path=${flags.socket},server=on,wait=off -device usb-redir,chardev=ur)`)
  }
  const server = new UsbredirDeviceServer(sock, model, line => { say('log', line, { line }) })
  say('plugged', `plugged a ${name} model (${vidPid(model.vendorId, model.productId)}) into ${flags.socket}; IR side: ${label}; ^C unplugs`, { model: name, id: vidPid(model.vendorId, model.productId), socket: flags.socket })
  await new Promise<void>(resolve => {
    const done = (): void => { process.off('SIGINT', done); process.off('SIGTERM', done); resolve() }
    sock.once('close', done)
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
  server.close()
  sock.destroy()
  model.unplug()
  await cleanup()
  const s = { ...server.stats, framesToAir: model.stats.framesToAir, framesToHost: model.stats.framesToHost, refused: model.stats.refused }
  if (out.json) jsonLine({ event: 'summary', ...s })
  else out.line(`unplugged: ${s.packetsIn} usbredir packets in, ${s.packetsOut} out; ${s.framesToAir} frames to IR, ${s.framesToHost} to the VM; ${s.refused} refused${model.stats.lastRefusal !== undefined ? ` (last: ${model.stats.lastRefusal})` : ''}`)
}
