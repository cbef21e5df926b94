/*!
 * Cases as data: the IrLAP frame tester's script steps (`ScriptStep` of `@irdakit/lap`), played
 * by the tester station on a real medium. The same script runs against a station object in a
 * unit test (`runScript` with `FrameTester`) and against any device here (`playScript`).
 */
import { fromHex, type ScriptStep } from '@irdakit/lap'
import { CaseVerdict } from './verdict.js'
import type { TesterStation } from './station.js'

/** The steps a station on a medium can play: frames out at exact times, frames in with time limits, silence, waits. */
export type PortScriptStep = Extract<ScriptStep, { send: unknown } | { expect: unknown } | { silence: number } | { wait: number }>

/** Plays a script; times (`at`) count from the start of the script. Throws the case's verdict at the first step that fails. */
export async function playScript (st: TesterStation, steps: readonly PortScriptStep[]): Promise<void> {
  const t0 = st.now()
  for (const [i, step] of steps.entries()) {
    if ('send' in step) {
      if (step.at !== undefined) await st.wait(Math.max(0, t0 + step.at - st.now()))
      if (step.after !== undefined) await st.wait(step.after)
      st.send(typeof step.send === 'string' ? fromHex(step.send) : step.send, `step ${i}`)
    } else if ('expect' in step) {
      const start = st.now()
      const r = await st.expect(step.expect, step.within ?? 1200, `step ${i}`)
      if (step.notBefore !== undefined && r.at - start < step.notBefore) {
        st.flag(`step ${i}: the frame came after ${(r.at - start).toFixed(1)} ms, not before ${step.notBefore} ms is due`)
        throw new CaseVerdict('FAIL', `step ${i}: answer too early (${(r.at - start).toFixed(1)} ms < ${step.notBefore} ms)`)
      }
    } else if ('silence' in step) {
      await st.expectSilence(step.silence, `step ${i}: silence for ${step.silence} ms`)
    } else {
      await st.wait(step.wait)
    }
  }
}
