/*!
 * Scripts: a test case as data (a list of steps), so catalogues of cases (the conformance
 * suite) can be written, listed and run without code per case.
 */
import type { LapFrame } from '../frame.js'
import { FrameTester, type FramePattern, type TesterOptions } from './tester.js'
import type { LapTarget } from './target.js'

export type ScriptStep =
  /** Deliver a frame, at an absolute time (`at`) or after a pause (`after`, ms). */
  | { send: LapFrame | Uint8Array | string, at?: number, after?: number }
  /** The target must send a frame matching the pattern within `within` ms and not before `notBefore` ms. */
  | { expect: FramePattern, within?: number, notBefore?: number }
  /** The target must report an event matching the pattern. */
  | { expectEvent: Partial<Record<string, unknown>>, within?: number, skip?: boolean }
  /** The target must stay silent for this many ms. */
  | { silence: number }
  /** Let time pass. */
  | { wait: number }
  /** Call the target's API (its upper layer's request). */
  | { do: (now: number) => void }
  /** A damaged frame, or the medium turning busy/idle. */
  | { corrupt: true }
  | { mediaBusy: boolean }

/** Runs a script against a target; throws TesterError at the first step that fails. Returns the tester for further checks. */
export function runScript (target: LapTarget, steps: readonly ScriptStep[], opts: TesterOptions = {}): FrameTester {
  const t = new FrameTester(target, opts)
  steps.forEach((step, i) => {
    t.trace.push(`  -- step ${i}: ${Object.keys(step).join(',')}`)
    if ('send' in step) {
      if (step.at !== undefined) t.advanceTo(step.at)
      if (step.after !== undefined) t.wait(step.after)
      t.send(step.send)
    } else if ('expect' in step) {
      t.expectFrame(step.expect, { within: step.within, notBefore: step.notBefore })
    } else if ('expectEvent' in step) {
      t.expectEvent(step.expectEvent, { within: step.within, skip: step.skip })
    } else if ('silence' in step) {
      t.expectSilence(step.silence)
    } else if ('wait' in step) {
      t.wait(step.wait)
    } else if ('do' in step) {
      t.do(step.do)
    } else if ('corrupt' in step) {
      t.sendError()
    } else {
      t.mediaBusy(step.mediaBusy)
    }
  })
  return t
}
