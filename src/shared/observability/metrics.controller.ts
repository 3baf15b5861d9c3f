import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/decorators.js';
import { MetricsService } from './metrics.service.js';

/** GET /metrics: Prometheus text exposition of this replica's metrics. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
