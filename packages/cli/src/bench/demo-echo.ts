/*!
 * The demo's echo as a bench: `irda demo` (discovery, IAS, IrSock over TinyTP, echo) in virtual
 * time at 115200 and 4 Mbit/s, its summary's two figures as rows: the echo's goodput (both ways
 * together, the line is half duplex) against the ideal schedule of the link, and against the
 * line's byte rate. No target in issue 17; it shows what a user of the demo sees.
 */
import { demoBytes, runDemo } from '../demo.js'
import { lineBytesPerSecond } from '../ideal-schedule.js'
import type { Bench } from './row.js'

const SPEEDS = [115200, 4000000]

export const demoEcho: Bench = async ({ quick }) => {
  const bytes = quick ? 8 * 1024 : 64 * 1024
  const rows = []
  for (const speed of SPEEDS) {
    const r = await runDemo({ speed, data: demoBytes(bytes), seed: 1 })
    if (!r.identical) throw new Error(`the echo at ${speed} b/s came back different`)
    const kBs = r.throughputBps / 8 / 1000
    const label = `${speed} b/s, ${bytes / 1024} KiB echoed (both ways)`
    rows.push(
      { bench: 'demo-echo', case: `${label}: of the ideal schedule`, value: kBs, unit: 'kB/s', ratio: r.ofIdeal ?? 0, against: "ideal schedule of the link (the demo's summary)", bps: speed },
      { bench: 'demo-echo', case: `${label}: of the line`, value: kBs, unit: 'kB/s', ratio: kBs / (lineBytesPerSecond(speed) / 1000), against: "line's byte rate", bps: speed },
    )
  }
  return rows
}
