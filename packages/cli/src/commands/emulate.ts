/*!
 * `irda emulate phone|mcp2150`: an emulated IrCOMM device. On a medium (`--room`, `--port`) it
 * answers whoever connects until ^C, printing what it is asked. With no medium named it shows
 * itself: a laptop in an emulated room (virtual time) discovers it, connects over IrCOMM and
 * runs what gammu would ask a phone (identity, phonebook), or reads the instrument once, and
 * the transcript is printed.
 */
import type { Command } from 'commander'
import { IrdaStack } from '@irdakit/stack'
import { connectIrcomm, emulateMcp2150, emulatePhone, type EmulatedDevice, type IrcommPort } from '@irdakit/ircomm'
import { parseSeed } from '../args.js'
import { jsonLine, untilStopped } from '../live.js'
import { mediumKind, mediumOptions, openMedium } from '../medium.js'
import { Output, UserError, hex32, oneLine } from '../output.js'

interface EmulateFlags { seed: number, json?: boolean, emulator?: boolean, room?: string, port?: string, dongle?: string }

const DEVICES = ['phone', 'mcp2150']
/** What the laptop asks the emulated phone: gammu's identification, then its phonebook. */
export const PHONE_SCRIPT = ['ATE0', 'ATI', 'AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+CPBS="SM"', 'AT+CPBR=1,10']

export function registerEmulate (program: Command): void {
  mediumOptions(program.command('emulate')
    .description('run an emulated IrCOMM device: an AT phone or an MCP2150-style instrument')
    .argument('<device>', DEVICES.join(' or '))
    .option('--seed <n>', 'seed for the emulated room', parseSeed, 1)
    .option('--json', 'one JSON object per line, per event'), 'a demonstration in an emulated room (the default)')
    .action(async (device: string, flags: EmulateFlags) => { await emulate(device, flags) })
}

async function emulate (device: string, flags: EmulateFlags): Promise<void> {
  if (!DEVICES.includes(device)) throw new UserError(`unknown device ${JSON.stringify(device)}: choose ${DEVICES.join(' or ')}`)
  const out = new Output({ json: flags.json === true })
  const say = (event: string, text: string, extra: Record<string, unknown> = {}): void => {
    if (out.json) jsonLine({ event, ...extra, message: text }); else out.line(text)
  }
  const kind = mediumKind(flags)
  const medium = await openMedium(flags, kind === 'emulator' ? 'laptop' : device, { seed: flags.seed })
  const start = (port: typeof medium.port): EmulatedDevice => device === 'phone'
    ? emulatePhone(port, kind === 'emulator' ? { seed: flags.seed * 10 + 1 } : { onCommand: l => { say('command', `phone <- ${l}`, { command: l }) } })
    : emulateMcp2150(port, kind === 'emulator' ? { seed: flags.seed * 10 + 1 } : {})
  try {
    if (medium.room === undefined) {
      const dev = start(medium.port)
      say('ready', `emulated ${device} on ${medium.label} as ${hex32(dev.stack.deviceAddress)}, answering IrCOMM; ^C to stop`, { device, medium: medium.label, deviceAddress: hex32(dev.stack.deviceAddress) })
      dev.server.on('connection', p => { say('connection', `connection from ${hex32(p.deviceAddress)}: ${p.service}`, { from: hex32(p.deviceAddress), service: p.service }) })
      const stop = untilStopped()
      try { await stop.stopped } finally { stop.dispose(); await dev.close().catch(() => {}) }
      return
    }
    const dev = start(medium.room.port(device))
    const laptop = IrdaStack.create({ port: medium.port, nickname: 'laptop', seed: flags.seed * 10 + 2 })
    const transcript = await medium.run(demo(laptop, device))
    for (const t of transcript) say('exchange', `${t.sent.padEnd(14)} -> ${t.answer.trim().replace(/\r\n\r\n/g, ' | ').replace(/\r\n/g, ' ')}`, { sent: t.sent, answer: t.answer })
    await medium.run(laptop.close())
    await medium.run(dev.close())
  } catch (e) {
    if (e instanceof UserError) throw e
    throw new UserError(`the emulated ${device} did not answer: ${oneLine(e)}`, 1)
  } finally {
    await medium.close()
  }
}

/** The laptop's side of the demonstration: connect, send each line, collect each answer. */
async function demo (laptop: IrdaStack, device: string): Promise<Array<{ sent: string, answer: string }>> {
  const port = await connectIrcomm(laptop)
  const script = device === 'phone' ? PHONE_SCRIPT : ['READ', 'READ']
  const done = device === 'phone' ? /\r\n(OK|ERROR)\r\n$/ : /\r\n$/
  const result: Array<{ sent: string, answer: string }> = []
  for (const line of script) result.push({ sent: line, answer: await ask(port, line, done) })
  port.end()
  return result
}

async function ask (port: IrcommPort, line: string, done: RegExp): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    let text = ''
    const onData = (c: Buffer): void => {
      text += c.toString('latin1')
      if (done.test(text)) { port.off('data', onData); port.off('close', onClose); resolve(text) }
    }
    const onClose = (): void => { reject(new Error(`connection closed before the answer to ${line}`)) }
    port.on('data', onData)
    port.once('close', onClose)
    port.write(line + '\r')
  })
}
