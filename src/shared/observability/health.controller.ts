import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/decorators.js';
import { DatabaseProbe } from '../database/database-probe.service.js';
import { MqttService } from '../mqtt/mqtt.service.js';

const DATABASE_TIMEOUT_MS = 2000;

/** GET /health: 200 when PostgreSQL answers and the broker is connected, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseProbe,
    private readonly mqtt: MqttService,
  ) {}

  @Public()
  @Get()
  async health(@Res() res: Response): Promise<void> {
    const database = (await this.database.answers(DATABASE_TIMEOUT_MS)) ? 'up' : 'down';
    const broker = this.mqtt.isConnected() ? 'up' : 'down';
    const ok = database === 'up' && broker === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database, broker });
  }
}
