/*! @irdakit/lmp: IrLMP 1.1 and IAS: LM-MUX PDUs, LSAP connections, link management, discovery service, directory. */
export * from './pdu.js'
export * from './ias/index.js'
export * from './service.js'
export * from './multiplexer.js'
