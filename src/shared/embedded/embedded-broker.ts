import net from 'node:net';
import { Aedes } from 'aedes';
import { choosePort } from './free-port.js';
import type { EmbeddedService } from './embedded-postgres.js';

/** An in-process MQTT 3.1.1 broker (aedes) for the one-command start and the tests. */
export async function startEmbeddedBroker(preferredPort: number): Promise<EmbeddedService> {
  const port = await choosePort(preferredPort);
  const broker = await Aedes.createBroker({
    // aedes 1.2 drops the subscriber's connection when it delivers a QoS 1 message whose topic
    // has an empty level (`plant/machines//electrical`): such a message is not forwarded to
    // anyone (no route of ours could take it anyway); Mosquitto delivers them fine.
    authorizeForward: (_client, packet) => (packet.topic.split('/').includes('') ? null : packet),
  });
  // No Nagle delay on small request/reply packets (RFID boards wait for each reply).
  const server = net.createServer({ noDelay: true }, broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
