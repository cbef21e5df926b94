/*! `irda ias <device> <class> <attribute>`: one GetValueByClass query on a device's IAS. */
import type { Command } from 'commander'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { decodeText, IasReturn, type DeviceInfo, type IasValue } from '@irdakit/lmp'
import { parseSeed } from '../args.js'
import { Output, UserError, oneLine, hex32 } from '../output.js'
import { FIRMWARE_OPTION, mediumKind, openMedium, USB_OPTION } from '../medium.js'
import { EMULATED_DEVICES } from './discover.js'

interface IasFlags { emulator?: boolean, room?: string, port?: string, dongle?: string, seed: number, json?: boolean }

export function registerIas (program: Command): void {
  program.command('ias')
    .description('query a device\'s IAS (GetValueByClass), e.g. irda ias "Nokia 6310i" IrDA:IrCOMM IrDA:TinyTP:LsapSel')
    .argument('<device>', 'a nickname or a device address (0x...) from irda discover')
    .argument('<class>', 'IAS class name, e.g. Device, IrDA:IrCOMM, OBEX')
    .argument('<attribute>', 'attribute name, e.g. DeviceName, IrDA:TinyTP:LsapSel')
    .option('--emulator', 'the emulated room of irda discover (the default)')
    .option('--room <socket>', 'join the room served by `irda room serve` on this socket')
    .option('--port <path>', 'a serial port with an IrDA dongle, e.g. /dev/ttyUSB0')
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option('--seed <n>', 'seed for the emulated room', parseSeed, 1)
    .option('--json', 'one JSON document')
    .action(async (device: string, className: string, attribute: string, flags: IasFlags) => { await ias(device, className, attribute, flags) })
}

/** What the emulated devices announce beyond the mandatory Device object. */
const SERVICES: Record<string, Array<[string, string, IasValue]>> = {
  divecomputer: [['IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x6c }]], // as in irda demo
  phone: [
    ['IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x0b }],
    ['IrDA:IrCOMM', 'Parameters', { type: 'octets', value: Uint8Array.of(0x00, 0x01, 0x06, 0x01, 0x01, 0x01) }],
    ['OBEX', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x03 }],
  ],
  palm: [['OBEX', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x04 }]],
  printer: [['IrLPT', 'IrDA:IrLMP:LsapSel', { type: 'integer', value: 0x02 }]],
}

const RETURN_NAMES: Record<number, string> = { [IasReturn.SUCCESS]: 'success', [IasReturn.NO_SUCH_CLASS]: 'no such class', [IasReturn.NO_SUCH_ATTRIBUTE]: 'no such attribute' }

function describeValue (v: IasValue): { text: string, json: Record<string, unknown> } {
  switch (v.type) {
    case 'missing': return { text: 'missing', json: { type: 'missing' } }
    case 'integer': return { text: `integer ${v.value} (0x${(v.value >>> 0).toString(16)})`, json: { type: 'integer', value: v.value } }
    case 'octets': {
      const hex = [...v.value].map(b => b.toString(16).padStart(2, '0')).join(' ')
      return { text: `octets ${hex}`, json: { type: 'octets', value: hex.replaceAll(' ', '') } }
    }
    case 'string': {
      const s = decodeText(v.value, v.charset)
      return { text: `string ${JSON.stringify(s)}`, json: { type: 'string', charset: v.charset, value: s } }
    }
  }
}

function matches (d: DeviceInfo, device: string): boolean {
  const n = /^0x[0-9a-f]+$/i.test(device) ? Number(device) : undefined
  return n !== undefined ? d.deviceAddress === n : d.nickname.toLowerCase() === device.toLowerCase()
}

async function query (stack: IrdaStack, device: string, className: string, attribute: string): Promise<{ target: DeviceInfo, returnCode: number, entries: Array<{ objectId: number, value: IasValue }> }> {
  let target: DeviceInfo | undefined
  for (let round = 0; round < 3 && target === undefined; round++) {
    target = (await stack.discover({ slots: 8 })).find(d => matches(d, device))
  }
  if (target === undefined) throw new UserError(`no device ${JSON.stringify(device)} answered discovery`, 1)
  try {
    return { target, ...await stack.iasQuery(target.deviceAddress, className, attribute) }
  } catch (e) {
    throw new UserError(`IAS query to ${hex32(target.deviceAddress)} failed: ${oneLine(e)}`, 1)
  }
}

async function ias (device: string, className: string, attribute: string, flags: IasFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  let result
  if (mediumKind(flags) === 'emulator') {
    const room = new Room({ time: 'virtual', seed: flags.seed })
    const me = IrdaStack.create({ port: room.port('irda'), nickname: 'irdakit', seed: flags.seed * 10 })
    EMULATED_DEVICES.forEach((d, i) => {
      const s = IrdaStack.create({ port: room.port(d.name), nickname: d.nickname, hints: d.hints, seed: flags.seed * 10 + i + 1 })
      for (const [cls, attr, value] of SERVICES[d.name] ?? []) s.ias.set(cls, attr, value)
    })
    try {
      result = await room.run((async () => { try { return await query(me, device, className, attribute) } finally { await me.close() } })())
    } finally {
      await room.close()
    }
  } else {
    const medium = await openMedium(flags, 'ias')
    const me = IrdaStack.create({ port: medium.port, nickname: 'irdakit' })
    try {
      result = await query(me, device, className, attribute)
    } finally {
      await me.close().catch(() => {})
      await medium.close()
    }
  }
  const status = RETURN_NAMES[result.returnCode] ?? `return code ${result.returnCode}`
  if (result.returnCode !== IasReturn.SUCCESS) process.exitCode = 1
  if (out.json) {
    out.emitJson({
      command: 'ias',
      device: { deviceAddress: hex32(result.target.deviceAddress), nickname: result.target.nickname },
      class: className,
      attribute,
      returnCode: result.returnCode,
      status,
      entries: result.entries.map(e => ({ objectId: e.objectId, ...describeValue(e.value).json })),
    })
    return
  }
  out.line(`${JSON.stringify(result.target.nickname)} (${hex32(result.target.deviceAddress)}) ${className} ${attribute}: ${status}`)
  for (const e of result.entries) out.line(`  object ${e.objectId}: ${describeValue(e.value).text}`)
}
