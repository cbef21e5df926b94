/*! @irdakit/cli/bench: the benchmark runner and renderer behind `npm run bench` and `irda bench`. */
export { BenchSkipped, type Bench, type BenchOptions, type BenchResults, type BenchRow } from './row.js'
export { runBenches, formatTable, belowTarget, ratioCell, valueCell, type RunOptions } from './runner.js'
export { renderBenchmarks, speedPlot, berPlot, rowBps, rowBer, shareOfLine, rowsFor, ISSUE_MEASURES, type IssueMeasure } from './render.js'
export { renderPlot, type Plot, type Axis, type Series } from './svg.js'
export { lapGoodput, goodput, type GoodputRow } from './lap-goodput.js'
export { demoEcho } from './demo-echo.js'
export { PACKAGE_BENCHES } from './benches.js'
export { idealBulkMs, idealGoodputKBs, idealScheduleMs, negotiatedLink, lineBytesPerSecond, type BulkLink } from '../ideal-schedule.js'
