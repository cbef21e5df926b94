/*!
 * Verdicts, as ISO 9646 / TTCN-3 use them (a verdict only ever gets worse) with Autobahn's
 * NONSTRICT and INFO and Bluetooth's N/A:
 *
 * - PASS: every check held.
 * - INFO: the spec leaves the behaviour open; the case reports what the target does.
 * - NONSTRICT: a SHOULD was broken; the target still conforms.
 * - INCONC: the target fell silent and the liveness probe found it gone (IR loss); retried.
 * - FAIL: a MUST was broken.
 * - ERROR: the harness itself failed.
 * - N/A: the case does not apply to this target's profile (never run).
 */
export type Verdict = 'PASS' | 'INFO' | 'NONSTRICT' | 'INCONC' | 'FAIL' | 'ERROR' | 'N/A'

/** Badness order: a later verdict replaces the current one only when it is worse. */
const RANK: Record<Verdict, number> = { 'N/A': 0, PASS: 1, INFO: 2, NONSTRICT: 3, INCONC: 4, FAIL: 5, ERROR: 6 }

export const VERDICTS: readonly Verdict[] = ['PASS', 'INFO', 'NONSTRICT', 'INCONC', 'FAIL', 'ERROR', 'N/A']

/** The worse of two verdicts. */
export function worse (a: Verdict, b: Verdict): Verdict { return RANK[b] > RANK[a] ? b : a }

/** Thrown inside a case to end it with a verdict (FAIL, INCONC, N/A, ...). */
export class CaseVerdict extends Error {
  static override name = 'CaseVerdict'
  constructor (readonly verdict: Verdict, message: string) {
    super(message)
    this.name = 'CaseVerdict'
  }
}

/** The target sent nothing when an answer was due: FAIL if it is still alive, INCONC if it is gone. */
export class NoResponse extends CaseVerdict {
  static override name = 'NoResponse'
  constructor (message: string) {
    super('FAIL', message)
    this.name = 'NoResponse'
  }
}

/** One line of a verdict's evidence: a frame on the line or a note, at a time relative to the case start. */
export interface TraceLine {
  /** ms since the case started. */
  t: number
  /** T->D tester to device, D->T device to tester, '--' a note, '!!' a check that did not hold. */
  dir: 'T->D' | 'D->T' | '--' | '!!'
  text: string
  hex?: string
}

export function formatTrace (trace: readonly TraceLine[]): string[] {
  return trace.map(l => `${l.t.toFixed(1).padStart(9)} ms  ${l.dir.padEnd(4)} ${l.text}${l.hex !== undefined ? `\n${' '.repeat(18)}${l.hex}` : ''}`)
}
