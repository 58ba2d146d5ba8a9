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

/**
 * The backend half of the handshake, shared by every split-driver backend: publish the
 * features and InitWait, follow the frontend's state (connect on Initialised/Connected,
 * release on Closing/Closed, start over on Initialising), fail a device into Closing.
 * A subclass says how to connect (map its rings, bind its port) and how to release.
 */
export abstract class XenbusBackend {
  /** Why the backend disconnected the device, if it did. */
  fault: string | null = null;
  private watchToken: string | null = null;

  constructor(protected readonly xs: XsClient, readonly paths: DevicePaths) {}

  abstract get connected(): boolean;
  /** Maps the frontend's rings and binds its event channel, then calls markConnected(). */
  protected abstract connect(): void;
  /** Drops the rings and the port (idempotent). */
  protected abstract release(): void;

  /** Publishes `features`, goes to InitWait and follows the frontend's state. */
  protected announce(features: Record<string, string>): void {
    const b = this.paths.back;
    this.xs.transaction((tx) => {
      for (const [k, v] of Object.entries(features)) tx.write(`${b}/${k}`, v);
      tx.write(`${b}/state`, String(XenbusState.InitWait));
    });
    this.watchToken = this.xs.watch(`${this.paths.front}/state`, () => this.frontChanged());
  }

  private frontChanged(): void {
    const s = readState(this.xs, this.paths.front);
    if (s === XenbusState.Initialised || s === XenbusState.Connected) {
      if (!this.connected && this.fault === null) this.connect();
    } else if (s === XenbusState.Closing || s === XenbusState.Closed || s === XenbusState.Unknown) {
      if (this.connected) this.release();
      if (this.xs.read(this.paths.back) !== null && readState(this.xs, this.paths.back) !== XenbusState.Closed) {
        this.setState(XenbusState.Closed);
      }
    } else if (s === XenbusState.Initialising) {
      // The frontend starts over (a reloaded driver): drop the old rings, offer the device again.
      if (this.connected) this.release();
      this.fault = null;
      if (readState(this.xs, this.paths.back) !== XenbusState.InitWait) this.setState(XenbusState.InitWait);
    }
  }

  protected markConnected(): void {
    this.setState(XenbusState.Connected);
  }

  /** Disconnects the device for a reason of the backend's (a hostile or broken frontend). */
  protected failDevice(why: string): void {
    this.fault = why;
    this.setState(XenbusState.Closing);
  }

  private setState(s: XenbusState): void {
    this.xs.write(`${this.paths.back}/state`, String(s));
  }

  /** Stops serving (backend shutdown or restart): releases everything, leaves xenstore as it is. */
  stop(): void {
    if (this.watchToken !== null) this.xs.unwatch(`${this.paths.front}/state`, this.watchToken);
    this.watchToken = null;
    this.release();
  }
}
