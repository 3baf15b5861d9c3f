import { Controller, Get, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/decorators.js';
import { MqttService } from '../mqtt/mqtt.service.js';

const DATABASE_TIMEOUT_MS = 2000;

/** GET /health: 200 when PostgreSQL answers and the broker is connected, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mqtt: MqttService,
  ) {}

  @Public()
  @Get()
  async health(@Res() res: Response): Promise<void> {
    const database = (await this.databaseAnswers()) ? 'up' : 'down';
    const broker = this.mqtt.isConnected() ? 'up' : 'down';
    const ok = database === 'up' && broker === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database, broker });
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS)));
    const query = this.dataSource
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
