import { Module } from '@nestjs/common';
import { ExperimentsModule } from '../experiments/experiments.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { LeakDetectionModule } from '../leak-detection/leak-detection.module.js';
import { MachinesModule } from '../machines/machines.module.js';
import { EmbeddedSimulatorService } from './embedded-simulator.service.js';

/** The built-in simulator (also a CLI: `npm run simulate`). */
@Module({
  imports: [MachinesModule, IdentityModule, LeakDetectionModule, ExperimentsModule],
  providers: [EmbeddedSimulatorService],
})
export class SimulatorModule {}
