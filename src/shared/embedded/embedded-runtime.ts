import { AppConfig } from '../../config/app-config.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { startEmbeddedPostgres, type EmbeddedService } from './embedded-postgres.js';

export interface Runtime {
  /** The configuration with DATABASE_URL and MQTT_URL filled in from what was started. */
  config: AppConfig;
  /** One line per service that was started here, for the start-up banner. */
  started: string[];
  stop(): Promise<void>;
}

/**
 * The one-command start: whatever is not configured (DATABASE_URL, MQTT_URL) is started
 * in-process. With both configured, nothing is started and the real services are used.
 */
export async function startEmbeddedServices(config: AppConfig, log: (line: string) => void): Promise<Runtime> {
  const services: EmbeddedService[] = [];
  const started: string[] = [];
  const resolved = Object.assign(Object.create(Object.getPrototypeOf(config)) as AppConfig, config);
  try {
    if (!config.DATABASE_URL) {
      const pg = await startEmbeddedPostgres({
        dataDir: config.EMBEDDED_PG_DIR,
        preferredPort: config.EMBEDDED_PG_PORT,
        database: 'plantgraph',
        log,
      });
      services.push(pg);
      resolved.DATABASE_URL = pg.url;
      started.push(`embedded PostgreSQL on ${new URL(pg.url).port}, data in ${config.EMBEDDED_PG_DIR}`);
    }
    if (!config.MQTT_URL) {
      const broker = await startEmbeddedBroker(config.EMBEDDED_MQTT_PORT);
      services.push(broker);
      resolved.MQTT_URL = broker.url;
      started.push(`embedded MQTT broker at ${broker.url}`);
    }
  } catch (e) {
    await stopAll(services);
    throw e;
  }
  resolved.SIMULATOR = config.SIMULATOR ?? (!config.DATABASE_URL && !config.MQTT_URL);
  return { config: resolved, started, stop: () => stopAll(services) };
}

async function stopAll(services: EmbeddedService[]): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
}
