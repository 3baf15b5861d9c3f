import { ConfigError, loadConfig } from './config/app-config.js';
import { AdminBootstrapService } from './identity/application/admin-bootstrap.service.js';
import { startEmbeddedServices } from './shared/embedded/embedded-runtime.js';
import { createApp } from './bootstrap.js';

/** `npm start`: configuration, embedded services where nothing is configured, the service, a banner. */
async function main(): Promise<void> {
  const config = (() => {
    try {
      return loadConfig();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${e.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
  })();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const runtime = await startEmbeddedServices(config, say);
  const app = await createApp(runtime.config).catch(async (e) => {
    await runtime.stop();
    throw e;
  });
  await app.listen(config.PORT, config.HOST);
  const port = new URL(await app.getUrl()).port;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping…`);
    await app.close();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const base = `http://localhost:${port}`;
  const admin = app.get(AdminBootstrapService).report;
  say('');
  say('Plantgraph is running');
  for (const line of runtime.started) say(`  ${line}`);
  say(`  GraphiQL:   ${base}/graphql`);
  say(`  Health:     ${base}/health   Metrics: ${base}/metrics`);
  if (admin.kind === 'generated')
    say(`  Admin:      ${admin.email} / ${admin.password}   (generated now, shown once: change it)`);
  else if (admin.kind === 'configured') say(`  Admin:      ${admin.email} (password from ADMIN_PASSWORD)`);
  else say('  Admin:      an admin exists already (ADMIN_EMAIL / ADMIN_PASSWORD apply only to the first start)');
  say('');
}

main().catch((e) => {
  process.stderr.write(`Plantgraph failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
