/*! @irdakit/lmp: IrLMP 1.1 and IAS: LSAP multiplexing, link management, discovery service, directory. */
export {}
