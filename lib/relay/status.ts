import "server-only";
import net from "node:net";
import { getDb } from "../db/client";
import type { Actor } from "../auth/actor";
import { getRelaySettings, getRelayTlsInfo, listenConfigOf, type RelayListenConfig, type RelayTlsInfo } from "./settings";
import { getRelayHealth, type RelayHealth } from "./queue";
import type { RelaySettings } from "./schema";

/**
 * What the Relay page and `relay status` show: where the listener runs and whether it answers
 * (the relay may run in another process: `relay serve` or the console's supervised child), its
 * certificate, since when it runs, and the queue's health.
 */

export type RelayStatus = {
  listen: RelayListenConfig;
  answering: boolean;
  greeting: string | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  tls: RelayTlsInfo | null;
  health: RelayHealth;
  settings: RelaySettings;
};

/** The first line the SMTP listener at host:port answers with, or null (2 s). */
export function probeListener(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host, port });
    const done = (v: string | null) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(2000, () => done(null));
    socket.once("error", () => done(null));
    socket.once("data", (d) => {
      socket.write("QUIT\r\n");
      done(d.toString("utf8").split(/\r?\n/)[0]);
    });
  });
}

export async function getRelayStatus(_actor: Actor): Promise<RelayStatus> {
  const settings = await getRelaySettings();
  const listen = listenConfigOf(settings);
  const [tls, health, greeting, started] = await Promise.all([
    getRelayTlsInfo(),
    getRelayHealth(),
    listen.enabled ? probeListener(listen.host, listen.port) : Promise.resolve(null),
    getDb().activity.findFirst({ where: { action: "relay.start" }, orderBy: { at: "desc" }, select: { at: true } }),
  ]);
  const startedAt = greeting && started ? started.at : null;
  return { listen, answering: Boolean(greeting), greeting, startedAt: startedAt?.toISOString() ?? null, uptimeSeconds: startedAt ? Math.round((Date.now() - startedAt.getTime()) / 1000) : null, tls, health, settings };
}
