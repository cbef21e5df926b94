/*! `irda send <file>`: pushes one file to an `irda serve` over IrSock; success only when the receiver confirms every byte. */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { Command } from 'commander'
import type { Room } from '@irdakit/emulator'
import { createServer } from '@irdakit/irsock'
import { IrdaStack } from '@irdakit/stack'
import { answerConnection, MAX_FILE_BYTES, pushFile, type ServedTransfer } from '../file-transfer.js'
import { mediumKind, openMedium } from '../medium.js'
import { Output, UserError, oneLine } from '../output.js'
import {
  clientSession, closed, crcHex, DEFAULT_SERVICE, emulatedSpeeds, parseDeviceAddress, peerHangsUp, peerText, roomSeed, stackOn, transferOptions, type TransferFlags,
} from '../transfer.js'

interface SendFlags extends TransferFlags { service: string, device?: number }

export function registerSend (program: Command): void {
  transferOptions(program.command('send')
    .description('push a file to the device offering the service (irda serve on the other side)')
    .argument('<file>', 'the file to send')
    .option('--service <name>', 'the IAS class to look up', DEFAULT_SERVICE)
    .option('--device <address>', 'the device to send to (default: the one offering the service)', parseDeviceAddress))
    .action(async (file: string, flags: SendFlags) => { await send(file, flags) })
}

function readInput (file: string): Uint8Array {
  let data: Uint8Array
  try {
    data = readFileSync(file)
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
  if (data.length > MAX_FILE_BYTES) throw new UserError(`${file} is larger than ${MAX_FILE_BYTES} bytes`)
  return data
}

/** The other side in the in-process room: an `irda serve` that keeps what it gets in memory. */
function emulatedReceiver (room: Room, flags: SendFlags): Promise<ServedTransfer> {
  const peer = IrdaStack.create({ port: room.port('receiver', { supportedSpeeds: emulatedSpeeds(flags) }), nickname: 'irda serve', seed: roomSeed(flags) * 10 + 1 })
  return new Promise((resolve, reject) => {
    createServer(peer, socket => {
      socket.on('error', () => {})
      answerConnection(socket, { accept: () => {}, store: name => `memory:${name}` }).then(resolve, reject).finally(() => { void peerHangsUp(socket, peer.clock) })
    }).listen({ service: flags.service })
  })
}

async function send (file: string, flags: SendFlags): Promise<void> {
  mediumKind(flags)
  const out = new Output({ json: flags.json === true })
  const data = readInput(file)
  const name = basename(file)
  const medium = await openMedium(flags, 'send', { seed: roomSeed(flags), ...(flags.speed !== undefined ? { maxSpeed: flags.speed } : {}) })
  try {
    if (medium.room !== undefined) void emulatedReceiver(medium.room, flags).catch(() => {})
    const stack = stackOn(medium, 'irda send', flags)
    const result = await medium.run(clientSession(stack, flags,
      async socket => await pushFile(socket, name, data, sent => { out.progress(`send ${name}`, sent, data.length) })
        .catch((e: unknown) => { throw new UserError(`sending ${name} to ${peerText(socket)} failed: ${oneLine(e)}`, 1) }),
      async socket => { socket.end(); await closed(socket) },
    ))
    out.clearProgress()
    const { outcome, peer } = result
    if (!outcome.ok) throw new UserError(`${peer} did not take ${name}: ${outcome.text}`, 1)
    if (out.json) {
      out.emitJson({
        command: 'send', ok: true, medium: medium.label, service: flags.service, peer, file, name,
        bytes: outcome.bytes, crc32: crcHex(outcome.crc32), connectSeconds: result.connectSeconds, seconds: result.seconds, bytesPerSecond: result.bytesPerSecond, storedAs: outcome.text,
      })
      return
    }
    out.line(`sent ${name}: ${outcome.bytes} bytes to ${peer} (${flags.service}) in ${result.seconds} s${medium.kind === 'emulator' ? ' of link time' : ''}, ${result.bytesPerSecond} B/s`)
    out.line(out.style('dim', `the receiver confirmed ${outcome.bytes} bytes, crc32 ${crcHex(outcome.crc32)}, stored as ${outcome.text}`))
  } finally {
    await medium.close()
  }
}
