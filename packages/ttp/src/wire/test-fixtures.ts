/*!
 * TTP byte fixtures from a real session between two Linux 4.9 stacks
 * (shared/reference/linux-4.9-session.md): the IrLMP frames of the IrLAP I frames, split into
 * the IrLMP header and the TTP PDU. Shared by the codec tests and the tshark test.
 */

/** Hex string to bytes; spaces are ignored. */
export function hex (s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '')
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

export const linuxSession = {
  /** [10.647] B->A I frame `90 12 01 00 | 10`: LM connect 0x12 -> 0x10; TTP connect, credit 16, no parameters. */
  connectRequest: { lmp: hex('90 12 01 00'), ttp: hex('10') },
  /** [10.676] A->B `92 10 81 00 | 10`: LM connect confirm; TTP connect, credit 16. */
  connectConfirm: { lmp: hex('92 10 81 00'), ttp: hex('10') },
  /** [10.707] B->A `10 12 | 00 ...`: data PDU, M=0, credit 0, "pristine 4.9.337 test". */
  dataToEcho: { lmp: hex('10 12'), ttp: hex('00 70 72 69 73 74 69 6e 65 20 34 2e 39 2e 33 33 37 20 74 65 73 74') },
  /** [10.736] A->B `12 10 | 01 ...`: the echo, M=0, credit 1 returned with it. */
  echoReply: { lmp: hex('12 10'), ttp: hex('01 70 72 69 73 74 69 6e 65 20 34 2e 39 2e 33 33 37 20 74 65 73 74') },
  /** [10.767] B->A `90 12 02 01`: LM disconnect, reason 0x01 User Request, no TTP user data. */
  disconnect: { lmp: hex('90 12 02 01'), ttp: hex('') },
} as const

/** The text both data PDUs carry. */
export const linuxEchoText = 'pristine 4.9.337 test'
