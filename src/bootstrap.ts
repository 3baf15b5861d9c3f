import 'reflect-metadata';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { parseGraphqlBodies } from './shared/graphql/graphql-http-body.js';

/** Builds the Nest application for a resolved configuration; main.ts and the tests share it. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
    // JSON only, and its errors answered in GraphQL's shape (parseGraphqlBodies).
    bodyParser: false,
  });
  parseGraphqlBodies(app);
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true, forbidUnknownValues: false }));
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  // GraphQL answers are not cacheable by URL (POST), and hashing a large history answer for an
  // ETag costs milliseconds on every response.
  app.set('etag', false);
  return app;
}
