import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { MachinesModule } from '../machines/machines.module.js';
import { EmbeddedSimulatorService } from './embedded-simulator.service.js';

/** The built-in simulator (also a CLI: `npm run simulate`). */
@Module({
  imports: [MachinesModule, IdentityModule],
  providers: [EmbeddedSimulatorService],
})
export class SimulatorModule {}
