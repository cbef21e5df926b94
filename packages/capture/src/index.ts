/*! @irdakit/capture: pcap writer and reader for LINKTYPE_LINUX_IRDA (144) and a layered frame decoder. */
export * from './pcap.js'
export * from './pcap-file.js'
export * from './describe.js'
