import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MachinesService } from '../machines/application/machines.service.js';
import { PlantSimulator, type SimulatedMachine } from './plant-simulator.js';
import { SimulatorRunner } from './simulator-runner.js';

/**
 * The simulator inside the service (on by default in the embedded one-command start, or
 * with SIMULATOR=true): registers the simulated machines it does not find, then feeds the
 * broker like real devices would, so that the dashboard is alive at once.
 */
@Injectable()
export class EmbeddedSimulatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Simulator');
  private runner?: SimulatorRunner;

  constructor(
    private readonly config: AppConfig,
    private readonly machines: MachinesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SIMULATOR) return;
    const simulator = new PlantSimulator({ startTime: Date.now() });
    for (const machine of simulator.machines) await this.registerIfMissing(machine);
    this.runner = new SimulatorRunner(simulator, {
      url: this.config.MQTT_URL!,
      clientId: `${this.config.MQTT_CLIENT_ID}-simulator`,
      progressIntervalMs: 60_000,
      logger: { info: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m) },
    });
    await this.runner.start();
    this.logger.log(`feeding ${simulator.machines.length} simulated machines`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }

  private async registerIfMissing(machine: SimulatedMachine): Promise<void> {
    if (this.machines.findByCode(machine.code)) return;
    await this.machines.create({
      code: machine.code,
      name: machine.name,
      model: machine.model,
      maker: machine.maker,
      capacityAmps: machine.capacityAmps,
      axes: machine.kind === 'cnc' ? machine.axes : [],
      tools: machine.kind === 'cnc' ? Array.from({ length: machine.toolCapacity }, (_, i) => ({ number: i + 1 })) : [],
    });
  }
}
