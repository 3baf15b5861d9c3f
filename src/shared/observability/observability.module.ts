import { Global, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.js';
import { DatabaseProbe } from '../database/database-probe.service.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { HttpMetricsMiddleware, PlatformGauges } from './platform-metrics.service.js';
import { requestLogFields, requestLogLevel } from './request-log.js';
import { StoppingGate } from './stopping-gate.middleware.js';

/**
 * Logs (structured JSON with a request id; pretty in development), GET /health and
 * GET /metrics (Prometheus), and 503 to every request once the service is stopping
 * (StoppingGate). MetricsService is global: any component declares its metrics.
 */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          genReqId: (req, res) => {
            const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) ?? randomUUID();
            res.setHeader('x-request-id', id);
            return id;
          },
          redact: ['req.headers.authorization', 'req.headers.cookie', 'req.body.variables.input.password'],
          autoLogging: { ignore: (req) => ['/health', '/metrics'].includes(req.url ?? '') },
          customLogLevel: requestLogLevel,
          customSuccessObject: requestLogFields,
          transport:
            (config.LOG_PRETTY ?? config.NODE_ENV === 'development')
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
              : undefined,
        },
      }),
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [MetricsService, PlatformGauges, DatabaseProbe, StoppingGate],
  exports: [MetricsService],
})
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StoppingGate, HttpMetricsMiddleware).forRoutes('*path');
  }
}
