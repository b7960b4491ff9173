import net from "node:net";

/**
 * A TCP forwarder in front of a peer that can be taken down and brought back: "down" resets
 * every new connection (and the open ones), like an upstream that is unreachable for a while.
 */
export type FlakyProxy = {
  host: string;
  port: number;
  setUp(up: boolean): void;
  isUp(): boolean;
  /** Hold the server's answers (a delivery hangs in the middle) until released. */
  setHold(hold: boolean): void;
  connections(): number;
  stop(): Promise<void>;
};

export async function startFlakyProxy(target: { host: string; port: number }): Promise<FlakyProxy> {
  let up = true;
  let hold = false;
  const held: { to: net.Socket; data: Buffer }[] = [];
  let count = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    count++;
    if (!up) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.on("data", (data: Buffer) => (hold ? held.push({ to: client, data }) : client.write(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    host: "127.0.0.1",
    port: (server.address() as net.AddressInfo).port,
    setUp(value) {
      up = value;
      if (!value) for (const s of open) s.destroy();
    },
    isUp: () => up,
    setHold(value) {
      hold = value;
      if (!value) for (const h of held.splice(0)) if (!h.to.destroyed) h.to.write(h.data);
    },
    connections: () => count,
    stop: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
