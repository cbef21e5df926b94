/*!
 * A conformance case: a stable ID (`LAYER/ROLE/GROUP/TYPE-NN`), the clause it checks, the 1995
 * guideline case it covers, and a script run against the target through the tester station.
 *
 * LAYER: LAP, LMP, IAS, TTP, SOCK. ROLE: the target's role: PRI (primary), SEC (secondary),
 * SRV (server), CLI (client), ANY. TYPE: BV valid behaviour, BI invalid input, CA capability
 * (what the target offers; reports INFO), TI timing.
 */
import type { IrdaStack } from '@irdakit/stack'
import type { Port } from '@irdakit/core'
import type { IrSock } from '@irdakit/irsock'
import { CaseVerdict, worse, type Verdict } from './verdict.js'
import { PrimaryLink, type ConnectOptions } from './link.js'
import type { Profile } from './profile.js'
import type { TesterStation } from './station.js'

export type Layer = 'LAP' | 'LMP' | 'IAS' | 'TTP' | 'SOCK'
export type Role = 'PRI' | 'SEC' | 'SRV' | 'CLI' | 'ANY'
export type CaseType = 'BV' | 'BI' | 'CA' | 'TI'

/** What a case needs of the target besides a secondary that answers frames. */
export type Need =
  /** A way to make the target act: discover, connect (only targets with `control` have it). */
  | 'control'
  /** The target's socket API (IrSock cases run on our stack only). */
  | 'api'
  /** A TinyTP echo service registered in IAS (profile.echoClass). */
  | 'echo'
  /** A window of more than one frame. */
  | 'window>1'
  /** More than one speed. */
  | 'speeds>1'
  /** A medium with line timing (a bare pty passes bytes instantly: put pacer.py between and say --paced). */
  | 'timing'

export interface CaseDef {
  id: string
  title: string
  /** Spec clause, e.g. "IrLAP 1.1 6.11". */
  clause: string
  /** The 1995 "Serial Infrared Protocol Layer Test Guidelines" case(s) covered, e.g. "DS1". */
  legacy?: string
  /** MUST cases fail; SHOULD cases give NONSTRICT; INFO cases report. */
  level: 'MUST' | 'SHOULD' | 'INFO'
  needs?: Need[]
  run: (ctx: CaseContext) => Promise<void>
}

/** Ways to make the target act, for targets that offer them (loopback: our own stack). */
export interface TargetControl {
  /** The target's stack (for API-level cases and to make it discover or connect). */
  stack: IrdaStack
  /** A mutant's wrapper of the stack's IrSock API (loopback with an API mutant only). */
  wrapIrSock?: (S: IrSock) => IrSock
}

export interface CaseContext {
  st: TesterStation
  profile: Profile
  control?: TargetControl
  port: Port
  /** Connects as primary (tracked: the runner disconnects it if the case does not). */
  connect: (opts?: ConnectOptions) => Promise<PrimaryLink>
  /** A MUST: ends the case with FAIL when `ok` is false. */
  must: (ok: boolean, message: string) => void
  /** A SHOULD: records NONSTRICT when `ok` is false and goes on. */
  should: (ok: boolean, message: string) => void
  /** Records a fact for an INFO verdict. */
  info: (message: string) => void
  /** Ends the case as not applicable (found out at run time, e.g. no echo service). */
  notApplicable: (why: string) => never
}

/** Why a case does not apply to a target, or undefined when it does. */
export function notApplicable (c: CaseDef, profile: Profile, control: TargetControl | undefined, lineTiming = true): string | undefined {
  for (const n of c.needs ?? []) {
    if (n === 'timing' && !lineTiming) return 'the medium has no line timing (a bare pty passes bytes instantly; pace it with pacer.py and pass --paced)'
    if ((n === 'control' || n === 'api') && control === undefined) return n === 'api' ? 'needs the target\'s socket API (runs on loopback only)' : 'needs a way to make the target act as primary (loopback only)'
    if (n === 'echo' && profile.echoClass === undefined) return 'no TinyTP echo service declared (--echo-class)'
    if (n === 'window>1' && profile.windowSize < 2) return `the target's window is ${profile.windowSize}`
    if (n === 'speeds>1' && profile.speeds.length < 2) return 'the target offers one speed only'
  }
  return undefined
}

/** A case's verdict so far: it only ever gets worse (ISO 9646). */
export class Verdicts {
  verdict: Verdict = 'PASS'
  readonly reasons: string[] = []
  add (v: Verdict, why: string): void {
    this.verdict = worse(this.verdict, v)
    this.reasons.push(`${v}: ${why}`)
  }
}

export function fail (message: string): never { throw new CaseVerdict('FAIL', message) }
