/*! @irdakit/obex: IrOBEX codecs, sans-I/O client and server sessions, and their transport over TinyTP. */
export * from './constants.js'
export * from './errors.js'
export * from './headers.js'
export * from './packet.js'
export * from './session.js'
export * from './client.js'
export * from './server.js'
