/*!
 * The SigmaTel STIr421x firmware patch: a file SigmaTel shipped with its drivers, which cannot be
 * redistributed, so the user supplies it. Linux (irda-usb.c, stir421x_patch_device) names it
 * "4210%4X.sb" from bcdDevice (space-padded: "4210 100.sb" for 1.00), checks its
 * "Product Version: NNN.NNN.NNN" against bcdDevice, and sends what follows 0x1A "STMP" (found in
 * the first 512 bytes) on bulk OUT in blocks of at most 1023 bytes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { FirmwareError } from '../errors.js'

const PRODUCT_VER = 'Product Version: '
const END_OF_HEADER = 0x1A
const STMP = 'STMP'
const CODE_OFFSET = 512
export const STIR421X_BLOCK_SIZE = 1023

/** The file names Linux would look for (space-padded as it does, and zero-padded as often seen). */
export function firmwareNames (bcd: number): string[] {
  const hex = bcd.toString(16).toUpperCase()
  return [`4210${hex.padStart(4, ' ')}.sb`, `4210${hex.padStart(4, '0')}.sb`]
}

/** The version number a patch file declares, as bcdDevice would show it, or undefined. */
export function patchVersion (data: Uint8Array): number | undefined {
  const head = Buffer.from(data.subarray(0, PRODUCT_VER.length + 11)).toString('latin1')
  if (!head.startsWith(PRODUCT_VER)) return undefined
  const v = head.slice(PRODUCT_VER.length)
  if (v[3] !== '.' || v[7] !== '.') return undefined
  const [major, minor, build] = [v.slice(0, 3), v.slice(4, 7), v.slice(8, 11)].map(s => parseInt(s, 10))
  if (![major, minor, build].every(Number.isFinite)) return undefined
  return (major << 12) + (minor << 8) + (Math.floor(build / 10) << 4) + build % 10
}

/** The code image to upload from a patch file for a device at `bcd`; throws FirmwareError with what is wrong. */
export function patchImage (data: Uint8Array, bcd: number, file = 'the patch'): Uint8Array {
  const version = patchVersion(data)
  if (version === undefined) throw new FirmwareError(`${file}: not a STIr421x patch (no "Product Version: NNN.NNN.NNN" at its start)`)
  if (version !== bcd) throw new FirmwareError(`${file}: patch for version 0x${version.toString(16)}, but the dongle is bcdDevice 0x${bcd.toString(16)}`)
  const end = data.indexOf(END_OF_HEADER)
  if (end < 0 || end >= CODE_OFFSET) throw new FirmwareError(`${file}: no end-of-header byte 0x1A in the first ${CODE_OFFSET} bytes`)
  if (Buffer.from(data.subarray(end + 1, end + 5)).toString('latin1') !== STMP) throw new FirmwareError(`${file}: the header does not end in 0x1A "STMP"`)
  return data.subarray(end + 1 + STMP.length)
}

/** Reads the patch for `bcd` from a file or a directory; a clear FirmwareError when it is missing. */
export function loadPatch (where: string | undefined, bcd: number): { file: string, image: Uint8Array } {
  const names = firmwareNames(bcd)
  const hint = `STIr421x dongles (SigmaTel STIr4210/4220/4116) need SigmaTel's firmware patch "${names[0]}", which irdakit cannot ship: copy it from the vendor's driver package (Linux users may have it in /lib/firmware) and pass its path (openUsbPort({ firmware }) or irda --usb ... --firmware <file|dir>)`
  if (where === undefined) throw new FirmwareError(`no firmware given. ${hint}`)
  let file = where
  if (existsSync(where) && statSync(where).isDirectory()) {
    const found = names.map(n => join(where, n)).find(p => existsSync(p))
    if (found === undefined) throw new FirmwareError(`${where}: holds neither ${names.map(n => `"${n}"`).join(' nor ')}. ${hint}`)
    file = found
  } else if (!existsSync(where)) {
    throw new FirmwareError(`${where}: no such file. ${hint}`)
  }
  return { file, image: patchImage(readFileSync(file), bcd, file) }
}
