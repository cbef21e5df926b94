/*!
 * `irda serve [service]`: registers the service in IAS and takes the files `irda send` pushes
 * (into `--dir`), and offers `--file` to `irda recv`. Runs until ^C, or one transfer with `--once`.
 */
import { readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { Room } from '@irdakit/emulator'
import { createServer, type IrSocket } from '@irdakit/irsock'
import { IrdaStack } from '@irdakit/stack'
import { demoBytes } from '../demo.js'
import { answerConnection, MAX_FILE_BYTES, pullFile, pushFile, type ServedTransfer } from '../file-transfer.js'
import { jsonLine, untilStopped, type StopReason } from '../live.js'
import { mediumKind, openMedium } from '../medium.js'
import { Output, UserError, hex32, oneLine } from '../output.js'
import {
  closed, connectService, crcHex, DEFAULT_SERVICE, emulatedSpeeds, isDirectory, linkDown, mustNotExist, peerHangsUp, peerText, roomSeed, stackOn, storeFile, timing, transferOptions, type TransferFlags,
} from '../transfer.js'

interface ServeFlags extends TransferFlags { dir?: string, once?: boolean, file?: string }

/** What the emulated sender pushes to `irda serve` when no medium is named. */
export const EMULATED_FILE = { name: 'emulated.bin', size: 4096 }

export function registerServe (program: Command): void {
  transferOptions(program.command('serve')
    .description('offer a file service over IrSock: take files from irda send, give --file to irda recv')
    .argument('[service]', 'the IAS class to register', DEFAULT_SERVICE)
    .option('--dir <dir>', 'where received files go (default: here; in the emulator: kept in memory)')
    .option('--file <path>', 'offer this file to irda recv')
    .option('--once', 'stop after one transfer (exit 1 if it failed)'))
    .action(async (service: string, flags: ServeFlags) => { await serve(service, flags) })
}

function load (path: string): { name: string, data: Uint8Array } {
  let data: Uint8Array
  try {
    data = readFileSync(path)
  } catch (e) {
    throw new UserError(`cannot read --file ${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
  if (data.length > MAX_FILE_BYTES) throw new UserError(`--file ${path} is larger than ${MAX_FILE_BYTES} bytes`)
  return { name: basename(path), data }
}

/** The other side in the in-process room: sends a generated file, or fetches the offered one. */
function emulatedClient (room: Room, service: string, flags: ServeFlags, offering: boolean): void {
  const peer = IrdaStack.create({ port: room.port('client', { supportedSpeeds: emulatedSpeeds(flags) }), nickname: offering ? 'irda recv' : 'irda send', seed: roomSeed(flags) * 10 + 1 })
  void (async () => {
    const socket = await connectService(peer, service, undefined)
    socket.on('error', () => {})
    if (offering) {
      await pullFile(socket, { accept: () => {}, store: name => `memory:${name}` })
      await peerHangsUp(socket, peer.clock)
    } else {
      await pushFile(socket, EMULATED_FILE.name, demoBytes(EMULATED_FILE.size))
      socket.end()
    }
  })().catch(() => {})
}

async function serve (service: string, flags: ServeFlags): Promise<void> {
  const kind = mediumKind(flags)
  const out = new Output({ json: flags.json === true })
  // The emulated sender's file is a demo: without --dir it stays in memory, so runs leave nothing behind.
  const dir = flags.dir === undefined && kind === 'emulator' ? undefined : resolve(flags.dir ?? '.')
  if (dir !== undefined && !isDirectory(dir)) throw new UserError(`--dir ${flags.dir ?? '.'} is not a directory`)
  const offer = flags.file !== undefined ? load(flags.file) : undefined
  // In the in-process room the other side makes exactly one transfer.
  const once = flags.once === true || kind === 'emulator'
  const stop = untilStopped()
  const medium = await openMedium(flags, 'serve', { seed: roomSeed(flags), ...(flags.speed !== undefined ? { maxSpeed: flags.speed } : {}) }).catch((e: unknown) => { stop.dispose(); throw e })
  const transfers: Array<ServedTransfer & { peer: string, seconds: number, bytesPerSecond: number }> = []
  const stopInfo: { by: StopReason | 'once' } = { by: 'once' }
  try {
    const stack = stackOn(medium, 'irda serve', flags)
    const clock = medium.port.clock
    const report = (t: ServedTransfer, socket: IrSocket, t0: number): void => {
      const rec = { ...t, peer: peerText(socket), ...timing(clock, t0, t.bytes) }
      transfers.push(rec)
      if (out.json) { jsonLine({ event: 'transfer', ...rec, crc32: crcHex(rec.crc32) }); return }
      const verb = t.direction === 'in' ? `received ${t.name} from` : `sent ${t.name} to`
      if (t.ok) out.line(`${verb} ${rec.peer}: ${t.bytes} bytes, crc32 ${crcHex(t.crc32)}, in ${rec.seconds} s, ${rec.bytesPerSecond} B/s${t.direction === 'in' ? ` -> ${t.text}` : ''}`)
      else out.line(out.style('red', `${t.direction === 'in' ? 'refused' : 'failed to send'} ${JSON.stringify(t.name)} ${t.direction === 'in' ? 'from' : 'to'} ${rec.peer}: ${t.text}`))
    }
    const done = new Promise<void>((resolveDone, rejectDone) => {
      const server = createServer(stack, socket => {
        const t0 = clock.now()
        socket.on('error', () => {})
        answerConnection(socket, {
          accept: name => { if (dir !== undefined) mustNotExist(join(dir, name)) },
          store: (name, data) => {
            if (dir === undefined) return `memory:${name}`
            const path = join(dir, name)
            storeFile(path, data)
            return path
          },
          ...(offer !== undefined ? { offer } : {}),
          onProgress: (n, size) => { out.progress('transfer', n, size) },
        }).then(t => { report(t, socket, t0); return t.direction }, (e: unknown) => {
          report({ direction: 'in', ok: false, name: '', bytes: 0, crc32: 0, text: oneLine(e) }, socket, t0)
          return 'in'
        }).then(async direction => {
          // After a put we wrote the last message (the result): the sender hangs up once it has it.
          if (direction === 'in') await peerHangsUp(socket, clock)
          else { socket.end(); await closed(socket) }
          if (once) { server.close(); resolveDone() }
        }).catch(() => {})
      })
      server.on('error', (e: Error) => { rejectDone(new UserError(`cannot serve ${service}: ${oneLine(e)}`)) })
      server.listen({ service }, () => {
        const address = server.address()
        if (out.json) jsonLine({ event: 'listening', service, lsap: address?.lsap, medium: medium.label, deviceAddress: hex32(stack.deviceAddress), once, ...(offer !== undefined ? { offering: offer.name } : {}) })
        else out.line(`serving ${service} on ${medium.label} as ${hex32(stack.deviceAddress)}${offer !== undefined ? `, offering ${offer.name}` : ''}${once ? ', one transfer' : '; ^C to stop'}`)
        if (medium.room !== undefined) emulatedClient(medium.room, service, flags, offer !== undefined)
      })
    })
    const stopped = stop.stopped.then(r => { stopInfo.by = r })
    try {
      await medium.run(Promise.race([done, stopped]))
      if (stopInfo.by === 'once') await medium.run(linkDown(stack))
    } finally {
      await medium.run(stack.close())
    }
  } finally {
    stop.dispose()
    out.clearProgress()
    await medium.close()
  }
  const failed = transfers.filter(t => !t.ok).length
  if (failed > 0 || (once && transfers.length === 0)) process.exitCode = 1
  const by = typeof stopInfo.by === 'string' ? stopInfo.by : stopInfo.by.error
  if (out.json) { jsonLine({ event: 'summary', transfers: transfers.length, failed, bytes: transfers.reduce((n, t) => n + (t.ok ? t.bytes : 0), 0), stoppedBy: by }); return }
  out.note(`${transfers.length} transfer${transfers.length === 1 ? '' : 's'}, ${failed} failed${kind === 'emulator' && flags.dir === undefined ? '; emulated run: kept in memory, nothing written (--dir <dir> writes it)' : ''}`)
}
