#!/usr/bin/env node
/*!
 * The `irda` command. User errors (bad arguments, a missing file or device) end the process with
 * a non-zero code and one line on stderr; `--json` on every command gives one JSON document on
 * stdout instead of the human output.
 */
import { Command, CommanderError } from 'commander'
import { registerDemo } from './commands/demo.js'
import { registerDump } from './commands/dump.js'
import { registerView } from './commands/view.js'
import { registerDongles } from './commands/dongles.js'
import { registerDiscover } from './commands/discover.js'
import { registerPing } from './commands/ping.js'
import { registerIas } from './commands/ias.js'
import { registerAttach } from './commands/attach.js'
import { registerRoom } from './commands/room.js'
import { registerServe } from './commands/serve.js'
import { registerSend } from './commands/send.js'
import { registerRecv } from './commands/recv.js'
import { registerConformance } from './commands/conformance.js'
import { registerComm } from './commands/comm.js'
import { registerEmulate } from './commands/emulate.js'
import { registerObex } from './commands/obex.js'
import { registerUsbRedir } from './commands/usb-redir.js'
import { registerExtcap } from './commands/extcap.js'
import { registerBench } from './commands/bench.js'
import { UserError, oneLine } from './output.js'
import { enterUserCwd } from './user-cwd.js'
import { CLI_VERSION } from './version.js'

/** Exit codes: 0 done, 1 the job failed, 2 bad usage or a missing file/device, 70 a bug. */
export const EXIT_USAGE = 2

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('irda')
    .description('irdakit: an IrDA protocol stack and IR room emulator')
    .version(CLI_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    // One prefix for every one-line error, commander's and ours.
    .configureOutput({ outputError: (str, write) => { write(str.replace(/^error: /, 'irda: ')) } })
    .exitOverride()
  registerDemo(program)
  registerDump(program)
  registerView(program)
  registerDongles(program)
  registerDiscover(program)
  registerPing(program)
  registerIas(program)
  registerAttach(program)
  registerRoom(program)
  registerServe(program)
  registerSend(program)
  registerRecv(program)
  registerConformance(program)
  registerComm(program)
  registerEmulate(program)
  registerObex(program)
  registerUsbRedir(program)
  registerExtcap(program)
  registerBench(program)
  for (const cmd of program.commands) cmd.exitOverride()
  return program
}

export async function main (argv: string[] = process.argv): Promise<number> {
  enterUserCwd()
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its one-line message (or the help/version asked for).
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0
      return e.exitCode === 0 ? 0 : EXIT_USAGE
    }
    if (e instanceof UserError) {
      process.stderr.write(`irda: ${oneLine(e)}\n`)
      return e.exitCode
    }
    process.stderr.write(`irda: internal error: ${oneLine(e)}${process.env.IRDA_DEBUG !== undefined ? '\n' + String((e as Error).stack) : ' (set IRDA_DEBUG=1 for the stack trace)'}\n`)
    return 70
  }
}

// Reading end gone (`irda dump x.pcap | head`): stop quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e })

main().then(code => { process.exitCode = code }, (e: unknown) => {
  process.stderr.write(`irda: ${oneLine(e)}\n`)
  process.exitCode = 70
})
