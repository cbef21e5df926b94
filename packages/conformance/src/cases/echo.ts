/*! Reaching the target's TinyTP echo service (for cases that need the target to send data). */
import type { CaseContext } from '../case.js'
import type { PrimaryLink } from '../link.js'
import { TtpSession, ttpLsapOf } from '../upper.js'

/** Finds the echo service through IAS and connects TinyTP to it; N/A when there is none. */
export async function openEcho (ctx: CaseContext, link: PrimaryLink, opts: { credit?: number, maxSduSize?: number } = {}): Promise<TtpSession> {
  const cls = ctx.profile.echoClass
  if (cls === undefined) return ctx.notApplicable('no echo service declared')
  const lsap = await ttpLsapOf(link, cls)
  if (lsap === undefined) return ctx.notApplicable(`IAS has no ${cls} IrDA:TinyTP:LsapSel`)
  return await TtpSession.connect(link, lsap, opts)
}

export const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xFF)
