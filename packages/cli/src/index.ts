/*! @irdakit/cli: The irda command: demo, discover, ping, dump, serve/send/recv, dongles, conformance. */
export {}
