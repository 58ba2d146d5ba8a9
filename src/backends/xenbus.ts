/*
 * The xenbus device handshake, backend side (fact sheet §10.5, §12.5). Each side
 * publishes `state` in its own directory and watches the other's:
 *
 *   toolstack   front.state = 1, back.state = 1                     (Initialising)
 *   backend     features published ....................... back = 2 (InitWait)
 *   frontend    rings granted, event channel, keys ....... front = 3 (Initialised; netfront: 4)
 *   backend     rings mapped, port bound, properties ..... back = 4 (Connected)
 *   frontend    .......................................... front = 4 (Connected)
 *   teardown    either side → 5 (Closing) → 6 (Closed); the backend releases its mappings
 *
 * A frontend that returns to 1 (a restarted guest driver) or reconnects after the backend
 * was restarted goes round the same loop again: the backend goes back to InitWait.
 */

import type { XsClient } from '../xenstore/client.js';

export const enum XenbusState {
  Unknown = 0, Initialising = 1, InitWait = 2, Initialised = 3, Connected = 4, Closing = 5, Closed = 6,
  Reconfiguring = 7, Reconfigured = 8,
}

export interface DevicePaths {
  front: string;
  back: string;
}

export function devicePaths(kind: 'vbd' | 'vif', feDomid: number, devid: number, beDomid = 0): DevicePaths {
  return {
    front: `/local/domain/${feDomid}/device/${kind}/${devid}`,
    back: `/local/domain/${beDomid}/backend/${kind}/${feDomid}/${devid}`,
  };
}

/**
 * The toolstack's half: both directories with their links and permissions (front owned
 * by the frontend, readable by the backend; back owned by the backend, readable by the
 * frontend), state 1 on each side.
 */
export function createDeviceNodes(xs: XsClient, p: DevicePaths, feDomid: number, beDomid: number,
  front: Record<string, string>, back: Record<string, string>): void {
  xs.transaction((tx) => {
    tx.rm(p.front);
    tx.rm(p.back);
    tx.write(`${p.front}/backend`, p.back);
    tx.write(`${p.front}/backend-id`, String(beDomid));
    tx.write(`${p.front}/state`, String(XenbusState.Initialising));
    for (const [k, v] of Object.entries(front)) tx.write(`${p.front}/${k}`, v);
    tx.write(`${p.back}/frontend`, p.front);
    tx.write(`${p.back}/frontend-id`, String(feDomid));
    tx.write(`${p.back}/online`, '1');
    tx.write(`${p.back}/state`, String(XenbusState.Initialising));
    for (const [k, v] of Object.entries(back)) tx.write(`${p.back}/${k}`, v);
    setTree(tx, p.front, [`n${feDomid}`, `r${beDomid}`]);
    setTree(tx, p.back, [`n${beDomid}`, `r${feDomid}`]);
  });
}

function setTree(xs: XsClient, path: string, perms: string[]): void {
  xs.setPerms(path, perms);
  for (const c of xs.directory(path)) setTree(xs, `${path}/${c}`, perms);
}

export function readState(xs: XsClient, dir: string): XenbusState {
  const v = xs.read(`${dir}/state`);
  const n = v === null ? 0 : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 8 ? n as XenbusState : XenbusState.Unknown;
}
