/*! @irdakit/viewer: the trace viewer behind `irda view`: a capture drawn as a sequence diagram in the browser, served on 127.0.0.1. */
export * from './schema.js'
export * from './store.js'
export * from './sources.js'
export * from './server.js'
export { StationTracker, MAX_LANES, type StationResult, type LapFields } from './stations.js'
export { ObexTracker, obexOperation, describeObexStart } from './obex.js'
