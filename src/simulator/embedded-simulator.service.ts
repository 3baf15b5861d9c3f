import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { UsersService } from '../identity/application/users.service.js';
import { LeakRegistryService } from '../leak-detection/application/leak-registry.service.js';
import { LeakSimulationInputsService } from '../leak-detection/application/leak-simulation-inputs.service.js';
import { MachinesService } from '../machines/application/machines.service.js';
import { ALL_PERMISSIONS } from '../shared/auth/permissions.js';
import { ExperimentsRegistryService } from '../experiments/application/experiments-registry.service.js';
import { ConflictError } from '../shared/errors/domain-errors.js';
import { LabRunner } from './lab-runner.js';
import { LAB_DISPLAY_NAME, LAB_EXPERIMENT, LAB_PV_PLANS } from './simulated-lab.js';
import type { BoardFleetPlan } from './board-fleet.js';
import { tidalCurrentsCsv, type LeakSitePlan } from './gas-sensors.js';
import { PlantSimulator, type SimulatedMachine } from './plant-simulator.js';
import { SimulatorRunner } from './simulator-runner.js';

/** The simulator registers what it needs as the system, not as a signed-in user. */
const SYSTEM_ACTOR = { permissions: new Set<string>(ALL_PERMISSIONS) };

/**
 * The simulator inside the service (on by default in the embedded one-command start, or
 * with SIMULATOR=true): registers the simulated machines, card holders, leak-detection
 * sites (templates, gas sensors) and the lab experiment Lab1 (PVs, default thresholds) it does
 * not find, then feeds the broker like real devices and RFID boards would, so that the
 * dashboard is alive at once. The lab's fan follows sets of its set-point (setPv).
 */
@Injectable()
export class EmbeddedSimulatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Simulator');
  private runner?: SimulatorRunner;
  private lab?: LabRunner;

  constructor(
    private readonly config: AppConfig,
    private readonly machines: MachinesService,
    private readonly users: UsersService,
    private readonly leakRegistry: LeakRegistryService,
    private readonly leakInputs: LeakSimulationInputsService,
    private readonly experiments: ExperimentsRegistryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SIMULATOR) return;
    // Devices publish where this service listens, whatever the roots are configured to.
    const simulator = new PlantSimulator({
      startTime: Date.now(),
      rootTopic: this.config.PLANT_MQTT_ROOT,
      boardRootTopic: this.config.ACCESS_MQTT_ROOT,
      leakSiteCount: this.config.SIMULATOR_LEAK_SITES,
      leakReadingIntervalMs: this.config.SIMULATOR_LEAK_INTERVAL_MS,
    });
    for (const machine of simulator.machines) await this.registerIfMissing(machine);
    await this.registerBoards(simulator.boards);
    for (const site of simulator.leakSites) await this.registerLeakSite(site);
    this.runner = new SimulatorRunner(simulator, {
      url: this.config.MQTT_URL!,
      clientId: `${this.config.MQTT_CLIENT_ID}-simulator`,
      progressIntervalMs: 60_000,
      logger: { info: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m) },
    });
    await this.runner.start();
    await this.registerLab();
    // The lab's readings come at the simulator's compressed reading interval (SIMULATOR_LEAK_INTERVAL_MS).
    this.lab = new LabRunner({
      url: this.config.MQTT_URL!,
      clientId: `${this.config.MQTT_CLIENT_ID}-simulator-lab`,
      rootTopic: this.config.PLANT_MQTT_ROOT,
      pvSetPrefix: this.config.PV_SET_PREFIX,
      intervalMs: this.config.SIMULATOR_LEAK_INTERVAL_MS,
      seed: simulator.options.seed,
      logger: { info: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m) },
    });
    await this.lab.start();
    const gasSensors = simulator.leakSites.reduce((n, site) => n + site.sensors.length, 0);
    this.logger.log(
      `feeding ${simulator.machines.length} simulated machines, ${simulator.boards.machines.length} RFID boards` +
        ` and ${gasSensors} gas sensors (a reading every ${this.config.SIMULATOR_LEAK_INTERVAL_MS} ms)`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lab?.stop();
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

  /**
   * A site's template on its seeded field and its sensors, when missing; a template without
   * candidate leaks or sea currents gets the reference's five candidates and a day of tidal
   * currents, so that a simulation on CRITICAL has something to run on.
   */
  private async registerLeakSite(site: LeakSitePlan): Promise<void> {
    const field = (await this.leakRegistry.listFields()).find((f) => f.name === site.field);
    if (!field) {
      this.logger.warn(`no field ${site.field}: its simulated gas sensors are left unregistered`);
      return;
    }
    const templates = await this.leakRegistry.listTemplates(field.id, { offset: 0, limit: 500 });
    const template =
      templates.items.find((t) => t.name === site.template.name) ??
      (await this.leakRegistry.createTemplate(field.id, site.template));
    await this.leakInputs.addDemoInputsIfNone(template.id, tidalCurrentsCsv(), new Date());
    for (const { name, x, y, z } of site.sensors)
      if (!this.leakRegistry.findSensorByName(name))
        await this.leakRegistry.createSensor(template.id, { name, x, y, z });
  }

  /** The lab experiment and its PVs with their default thresholds, when missing (an administrator's changes are kept). */
  private async registerLab(): Promise<void> {
    try {
      await this.experiments.createExperiment(LAB_EXPERIMENT, { displayName: LAB_DISPLAY_NAME });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    for (const { name, ...fields } of LAB_PV_PLANS)
      if (!this.experiments.findPvByName(name)) await this.experiments.createPv(name, { ...fields, type: 'NUMBER' });
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
