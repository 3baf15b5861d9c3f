import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { UsersService } from '../identity/application/users.service.js';
import { MachinesService } from '../machines/application/machines.service.js';
import { ALL_PERMISSIONS } from '../shared/auth/permissions.js';
import type { BoardFleetPlan } from './board-fleet.js';
import { PlantSimulator, type SimulatedMachine } from './plant-simulator.js';
import { SimulatorRunner } from './simulator-runner.js';

/** The simulator registers what it needs as the system, not as a signed-in user. */
const SYSTEM_ACTOR = { permissions: new Set<string>(ALL_PERMISSIONS) };

/**
 * The simulator inside the service (on by default in the embedded one-command start, or
 * with SIMULATOR=true): registers the simulated machines and card holders it does not find,
 * then feeds the broker like real devices and RFID boards would, so that the dashboard is
 * alive at once.
 */
@Injectable()
export class EmbeddedSimulatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Simulator');
  private runner?: SimulatorRunner;

  constructor(
    private readonly config: AppConfig,
    private readonly machines: MachinesService,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SIMULATOR) return;
    // Devices publish where this service listens, whatever the roots are configured to.
    const simulator = new PlantSimulator({
      startTime: Date.now(),
      rootTopic: this.config.PLANT_MQTT_ROOT,
      boardRootTopic: this.config.ACCESS_MQTT_ROOT,
    });
    for (const machine of simulator.machines) await this.registerIfMissing(machine);
    await this.registerBoards(simulator.boards);
    this.runner = new SimulatorRunner(simulator, {
      url: this.config.MQTT_URL!,
      clientId: `${this.config.MQTT_CLIENT_ID}-simulator`,
      progressIntervalMs: 60_000,
      logger: { info: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m) },
    });
    await this.runner.start();
    this.logger.log(
      `feeding ${simulator.machines.length} simulated machines and ${simulator.boards.machines.length} RFID boards`,
    );
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

  /** The boards' machines (of a type that needs no authorisation) and the people holding the cards. */
  private async registerBoards(plan: BoardFleetPlan): Promise<void> {
    if (!plan.machines.length) return;
    const types = await this.machines.listMachineTypes();
    const type =
      types.find((t) => t.name === plan.machineType.name) ?? (await this.machines.createMachineType(plan.machineType));
    for (const { code, name } of plan.machines)
      if (!this.machines.findByCode(code)) await this.machines.create({ code, name, machineTypeId: type.id });
    for (const holder of plan.cardHolders)
      if (!(await this.users.findByCardUid(holder.cardUid)))
        await this.users.create(
          { email: holder.email, displayName: holder.displayName, cardUid: holder.cardUid, roles: [holder.role] },
          SYSTEM_ACTOR,
        );
  }
}
