/**
 * smtp-server (the library under tests/fakes/smtp-peer.ts) waits a fixed 100 ms after accepting
 * a connection before it sends the 220 greeting ("early talker" detection). That constant sits
 * in every send, console or raw, and so dilutes any overhead ratio. For a second, stricter
 * measurement of scenario 3 the benchmark switches the delay off in its own process — same
 * peer, same TLS, same XOAUTH2 check, greeting at once. Nothing outside the benchmark process is
 * touched. Returns null when the library's internals are not what this expects.
 */
import { createRequire } from "node:module";

type ConnectionProto = {
  init: (this: ConnectionLike) => void;
};
type ConnectionLike = {
  _setListeners(callback: () => void): void;
  connectionReady(): void;
  send(code: number, text: string, close?: boolean): void;
  name: string;
  _server: { options: { maxClients?: number }; connections: Set<unknown> };
};

export type GreetingSwitch = { set(noDelay: boolean): void };

export function greetingDelaySwitch(): GreetingSwitch | null {
  let mod: { SMTPConnection?: { prototype: ConnectionProto } };
  try {
    mod = createRequire(__filename)("smtp-server/lib/smtp-connection") as typeof mod;
  } catch {
    return null;
  }
  const proto = mod.SMTPConnection?.prototype;
  if (!proto || typeof proto.init !== "function" || !/setTimeout\(\(\) => this\.connectionReady\(\), 100\)/.test(proto.init.toString())) return null;
  const original = proto.init;
  let noDelay = false;
  proto.init = function init(this: ConnectionLike) {
    if (!noDelay) return original.call(this);
    // smtp-server's init() without the 100 ms timer.
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      setImmediate(() => this.connectionReady());
    });
  };
  return {
    set(value: boolean) {
      noDelay = value;
    },
  };
}
