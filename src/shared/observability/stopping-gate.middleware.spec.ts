import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Server } from 'node:http';
import { StoppingGate } from './stopping-gate.middleware.js';

describe('StoppingGate', () => {
  const gate = new StoppingGate();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use((req, res, next) => gate.use(req, res, next));
    app.post('/graphql', (_req, res) => void res.json({ data: { ok: true } }));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lets requests through while the service runs, and answers 503 SERVICE_UNAVAILABLE once it stops', async () => {
    const running = await fetch(url, { method: 'POST' });
    expect({ status: running.status, body: await running.json() }).toEqual({
      status: 200,
      body: { data: { ok: true } },
    });

    gate.onModuleDestroy();
    const stopping = await fetch(url, { method: 'POST' });
    expect(stopping.status).toBe(503);
    expect(stopping.headers.get('retry-after')).toBe('1');
    expect(stopping.headers.get('connection')).toBe('close');
    expect(await stopping.json()).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
  });
});
