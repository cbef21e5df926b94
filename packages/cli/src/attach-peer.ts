/*!
 * The other station of `irda attach --emulator`: a dive computer that, every few seconds,
 * discovers and asks the attached host's IAS for its DeviceName, as a real device probing for
 * a PC would. It gives the attached stack something to answer, so the command shows its job
 * without hardware.
 */
import type { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'

export const EMULATED_PEER = { name: 'divecomputer', nickname: 'Aladin Smart', hints: [0x01] } as const
/** First probe after the host's own first discovery (if any) is over, then one every PERIOD_MS. */
const FIRST_MS = 1500
const PERIOD_MS = 4000
/** When the host did not answer (its own discovery held the medium), ask again soon. */
const RETRY_MS = 1000

export function startEmulatedPeer (room: Room, target: number, seed: number): { stop: () => Promise<void> } {
  const peer = IrdaStack.create({ port: room.port(EMULATED_PEER.name), nickname: EMULATED_PEER.nickname, hints: [...EMULATED_PEER.hints], seed: seed * 10 + 1 })
  const clock = room.clock
  let stopped = false
  let timer: { cancel: () => void } | undefined
  let busy: Promise<void> = Promise.resolve()

  /** True when the host answered. */
  const probe = async (): Promise<boolean> => {
    const found = await peer.discover()
    if (stopped || !found.some(d => d.deviceAddress === target)) return false
    await peer.iasQuery(target, 'Device', 'DeviceName')
    return true
  }
  const schedule = (at: number): void => {
    if (stopped) return
    timer = clock.setTimer(at, () => {
      // A failed probe (the host detached meanwhile) is what the next probe is for.
      busy = probe().catch(() => false).then(answered => schedule(answered ? at + PERIOD_MS : clock.now() + RETRY_MS))
    })
  }
  schedule(clock.now() + FIRST_MS)

  return {
    stop: async () => {
      stopped = true
      timer?.cancel()
      // close() cuts a probe in progress short (its query fails, which the probe absorbs); wait
      // for it to settle so nothing is scheduled after the peer is gone.
      const settled = busy
      await peer.close()
      await settled
    },
  }
}
