/*
 * The xenstore wire format (io/xs_wire.h, fact sheet §12.2–12.3): a 16-byte header
 * `xsd_sockmsg {type, req_id, tx_id, len}` then `len` payload bytes (at most 4096), and
 * the ring page `xenstore_domain_interface` that carries them between a guest and
 * xenstored.
 */

export const enum XsType {
  CONTROL = 0, DIRECTORY = 1, READ = 2, GET_PERMS = 3, WATCH = 4, UNWATCH = 5,
  TRANSACTION_START = 6, TRANSACTION_END = 7, INTRODUCE = 8, RELEASE = 9, GET_DOMAIN_PATH = 10,
  WRITE = 11, MKDIR = 12, RM = 13, SET_PERMS = 14, WATCH_EVENT = 15, ERROR = 16,
  IS_DOMAIN_INTRODUCED = 17, RESUME = 18, SET_TARGET = 19, RESET_WATCHES = 21, DIRECTORY_PART = 22,
  INVALID = 0xffff,
}

export const XS_HEADER = 16;
export const XENSTORE_PAYLOAD_MAX = 4096;

/** struct xenstore_domain_interface offsets. */
export const XS_RING = {
  req: 0, rsp: 1024, req_cons: 2048, req_prod: 2052, rsp_cons: 2056, rsp_prod: 2060,
  server_features: 2064, connection: 2068, error: 2072, evtchn_port: 2076,
} as const;
export const XENSTORE_RING_SIZE = 1024;
export const XENSTORE_SERVER_FEATURE_RECONNECTION = 1;
export const XENSTORE_SERVER_FEATURE_ERROR = 2;
export const XENSTORE_CONNECTED = 0, XENSTORE_RECONNECT = 1;
export const XENSTORE_ERROR_NONE = 0, XENSTORE_ERROR_COMM = 1, XENSTORE_ERROR_RINGIDX = 2, XENSTORE_ERROR_PROTO = 3;

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Uint8Array;
}

export function encodeMessage(m: XsMessage): Uint8Array {
  const out = new Uint8Array(XS_HEADER + m.payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, m.type, true);
  v.setUint32(4, m.reqId >>> 0, true);
  v.setUint32(8, m.txId >>> 0, true);
  v.setUint32(12, m.payload.length, true);
  out.set(m.payload, XS_HEADER);
  return out;
}

/**
 * Splits complete messages off the front of `buf`. Returns the messages and how many
 * bytes they used; throws ProtocolError on a payload over the limit.
 */
export function decodeMessages(buf: Uint8Array): { messages: XsMessage[]; used: number } {
  const messages: XsMessage[] = [];
  let o = 0;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (buf.length - o >= XS_HEADER) {
    const len = v.getUint32(o + 12, true);
    if (len > XENSTORE_PAYLOAD_MAX) throw new ProtocolError(`payload of ${len} bytes`);
    if (buf.length - o < XS_HEADER + len) break;
    messages.push({
      type: v.getUint32(o, true), reqId: v.getUint32(o + 4, true), txId: v.getUint32(o + 8, true),
      payload: buf.slice(o + XS_HEADER, o + XS_HEADER + len),
    });
    o += XS_HEADER + len;
  }
  return { messages, used: o };
}

export class ProtocolError extends Error {}
