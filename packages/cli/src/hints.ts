/*! Service hint bits (IrLMP 1.1 section 3.4.1) as words. */
const BYTE0 = ['PnP', 'PDA/Palmtop', 'Computer', 'Printer', 'Modem', 'Fax', 'LAN Access']
const BYTE1 = ['Telephony', 'File Server', 'IrCOMM', 'Message', 'HTTP', 'OBEX']

/** Names of the services a device's hint bytes announce (extension bits left out). */
export function hintNames (hints: Uint8Array): string[] {
  const names: string[] = []
  const b0 = hints[0] ?? 0
  BYTE0.forEach((n, i) => { if ((b0 & (1 << i)) !== 0) names.push(n) })
  if ((b0 & 0x80) !== 0) {
    const b1 = hints[1] ?? 0
    BYTE1.forEach((n, i) => { if ((b1 & (1 << i)) !== 0) names.push(n) })
  }
  return names
}

export function hintHex (hints: Uint8Array): string {
  return [...hints].map(b => b.toString(16).padStart(2, '0')).join('')
}
