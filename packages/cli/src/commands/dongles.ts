/*! `irda dongles`: the dongle profiles, and the serial ports when they can be listed safely. */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Command } from 'commander'
import { dongleProfiles } from '@irdakit/serial'
import { Output, oneLine } from '../output.js'
import { usbDongles } from '../usb-medium.js'

interface DonglesFlags { json?: boolean }

interface PortInfo { path: string, manufacturer?: string, serialNumber?: string, vendorId?: string, productId?: string }

/** True when `name` is an executable on PATH. */
export function onPath (name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).filter(d => d !== '').some(d => {
    try { accessSync(join(d, name), constants.X_OK); return true } catch { return false }
  })
}

/**
 * The serial ports, or why they cannot be listed. On Linux `SerialPort.list()` runs `udevadm`
 * and takes the whole process down when it is missing, so it is only called when udevadm is there.
 */
async function serialPorts (): Promise<{ ports: PortInfo[] } | { unavailable: string }> {
  if (process.platform === 'linux' && !onPath('udevadm')) return { unavailable: 'udevadm not found (install udev to list serial ports); pass --port <path> directly' }
  try {
    const { SerialPort } = await import('serialport')
    const list = await SerialPort.list()
    return {
      ports: list.map(p => ({
        path: p.path,
        ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
        ...(p.serialNumber !== undefined ? { serialNumber: p.serialNumber } : {}),
        ...(p.vendorId !== undefined ? { vendorId: p.vendorId } : {}),
        ...(p.productId !== undefined ? { productId: p.productId } : {}),
      })),
    }
  } catch (e) {
    return { unavailable: `cannot list serial ports: ${oneLine(e)}` }
  }
}

export function registerDongles (program: Command): void {
  program.command('dongles')
    .description('list the dongle profiles (for --dongle), the serial ports and the USB IrDA dongles (for --usb)')
    .option('--json', 'one JSON document')
    .action(async (flags: DonglesFlags) => { await dongles(flags) })
}

async function dongles (flags: DonglesFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const profiles = dongleProfiles()
  const ports = await serialPorts()
  const usb = await usbDongles()
  if (out.json) {
    out.emitJson({
      command: 'dongles',
      profiles: profiles.map(p => ({
        name: p.name, model: p.model, status: p.status, speeds: [...p.speeds], defaultSpeed: p.defaultSpeed,
        minTurnaroundMs: p.minTurnaroundMs, echo: p.echo, ...(p.irattach !== undefined ? { irattach: p.irattach } : {}),
      })),
      serialPorts: 'ports' in ports ? ports.ports : null,
      ...('unavailable' in ports ? { serialPortsUnavailable: ports.unavailable } : {}),
      usbDongles: 'dongles' in usb ? usb.dongles.map(d => ({ index: d.index, id: d.id, driver: d.driver, name: d.name, bus: d.bus, address: d.address })) : null,
      ...('unavailable' in usb ? { usbDonglesUnavailable: usb.unavailable } : {}),
    })
    return
  }
  const w = Math.max(...profiles.map(p => p.name.length))
  out.line(out.style('bold', `${'profile'.padEnd(w)}  ${'max bit/s'.padStart(9)}  ${'status'.padEnd(10)}  model`))
  for (const p of profiles) {
    const max = p.speeds[p.speeds.length - 1] ?? 0
    out.line(`${p.name.padEnd(w)}  ${String(max).padStart(9)}  ${p.status.padEnd(10)}  ${p.model}${p.echo ? out.style('dim', ' (echoes)') : ''}`)
  }
  out.line('')
  if ('unavailable' in ports) out.line(`serial ports: not listed: ${ports.unavailable}`)
  else if (ports.ports.length === 0) out.line('serial ports: none found')
  else {
    out.line('serial ports:')
    for (const p of ports.ports) out.line(`  ${p.path}${p.manufacturer !== undefined ? `  ${p.manufacturer}` : ''}${p.vendorId !== undefined ? `  ${p.vendorId}:${p.productId ?? '?'}` : ''}`)
  }
  out.line('')
  if ('unavailable' in usb) out.line(`USB dongles: not listed: ${usb.unavailable}`)
  else if (usb.dongles.length === 0) out.line('USB dongles: none found')
  else {
    out.line('USB dongles (--usb <index|vid:pid>):')
    usb.dongles.forEach((d, i) => { out.line(`  ${String(i).padStart(2)}  ${d.id}  ${(d.driver ?? '').padEnd(8)}  ${d.name ?? ''}`) })
  }
}
