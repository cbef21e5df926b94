/*!
 * Which frames a trace marks `[lost]`. A station that is not on the link listens at 9600 bit/s
 * (IrLAP's contention speed) while the link runs faster; it hears every frame of the link as
 * garbage, as a real bystander would. That is not a loss: the frame was never for it. So a
 * frame is lost or damaged when some station in range did not get it intact for another reason
 * (bit errors, a collision, an obstruction, a drop, or it was transmitting itself).
 */
import type { TapReception } from '@irdakit/emulator'

/** True when some reception failed for a reason other than listening at another speed. */
export function lostOnTheWay (receptions: readonly TapReception[]): boolean {
  return receptions.some(r => r.result !== 'good' && !onlySpeedMismatch(r))
}

function onlySpeedMismatch (r: TapReception): boolean {
  return r.heard && r.effects.length > 0 && r.effects.every(e => e === 'speed-mismatch')
}
