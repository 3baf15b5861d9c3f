import { CliUsageError, parseCliArgs, USAGE, type RunCommand } from './cli-args.js';
import { PlantSimulator } from './plant-simulator.js';
import { SimulatorRunner } from './simulator-runner.js';

/** `npm run simulate -- --url mqtt://127.0.0.1:1883 …`: the device simulator as a process of its own. */
async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    console.error(`${e.problems.map((p) => `error: ${p}`).join('\n')}\n\nRun with --help for the options.`);
    return 2;
  }
  switch (command.command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'print-registry':
      console.log(
        JSON.stringify(new PlantSimulator({ ...command.simulator, startTime: Date.now() }).machines, null, 2),
      );
      return 0;
    case 'run':
      return run(command);
  }
}

async function run(command: RunCommand): Promise<number> {
  const simulator = new PlantSimulator({ ...command.simulator, startTime: Date.now() });
  const runner = new SimulatorRunner(simulator, {
    url: command.url,
    qos: command.qos,
    clientId: command.clientId,
    progressIntervalMs: command.progressIntervalMs,
  });
  try {
    await runner.start();
  } catch (e) {
    console.error(`error: cannot connect to ${command.url}: ${(e as Error).message}`);
    return 1;
  }
  const { cncCount, weldingCount, axes, axesHz, weldingHz, rootTopic, seed } = simulator.options;
  console.log(
    `[simulator] ${cncCount} CNC machines × ${axes.join('')} at ${axesHz} Hz, ${weldingCount} welding machines at ${weldingHz} Hz, ` +
      `topics ${rootTopic}/machines/{code}/…, seed ${seed}${command.durationMs ? `, for ${command.durationMs / 1000} s` : ''}; Ctrl-C to stop`,
  );

  const reason = await new Promise<string>((resolve) => {
    const timer = command.durationMs ? setTimeout(() => resolve('duration reached'), command.durationMs) : undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      clearTimeout(timer);
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  // A second Ctrl-C while the broker drains QoS 1 acknowledgements means "now".
  process.once('SIGINT', () => process.exit(130));
  console.log(`[simulator] ${reason}: stopping…`);
  await runner.stop();
  const stats = runner.stats();
  const total = stats.published.axes + stats.published.tool + stats.published.electrical;
  console.log(
    `[simulator] stopped: ${total} messages published (axes ${stats.published.axes}, tool ${stats.published.tool}, ` +
      `electrical ${stats.published.electrical}), ${stats.dropped} dropped, ${stats.failed} failed`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let stdout drain (a piped --print-registry), but never hang on a handle left open.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
