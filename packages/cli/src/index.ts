/*! @irdakit/cli: The irda command: demo, discover, ping, dump, serve/send/recv, dongles, conformance. */
export { runDemo, demoBytes, listenEcho, echo, DEMO_INITIATOR, DEMO_RESPONDER, DEMO_RESPONDER_NICKNAME, DEMO_SERVICE_CLASS, DEMO_SERVICE_ATTRIBUTE, type DemoOptions, type DemoResult, type TraceFrame, type EchoSession } from './demo.js'
export { runDemoOn, type LinkDemoOptions } from './demo-link.js'
export { Output, UserError, colorAllowed, oneLine, hex32, type OutputOptions } from './output.js'
export { hintNames, hintHex } from './hints.js'
