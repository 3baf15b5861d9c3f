import { describe, expect, it, jest } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import type { InboundMessage } from '../../shared/mqtt/inbound-message.js';
import type { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import type { BoardProtocolService } from '../application/board-protocol.service.js';
import { BoardMqttHandler } from './board.mqtt-handler.js';

function handlerWith(answer: BoardProtocolService['answer']) {
  const published: Array<{ topic: string; payload: string }> = [];
  const mqtt = {
    route: jest.fn(),
    publish: async (topic: string, payload: string) => void published.push({ topic, payload }),
  } as unknown as MqttService;
  const protocol = { answer } as unknown as BoardProtocolService;
  const config = { ACCESS_MQTT_ROOT: 'machine' } as AppConfig;
  return { handler: new BoardMqttHandler(mqtt, protocol, config, new MetricsService()), published };
}

const message = (payload: string, receivedAt = new Date()): InboundMessage => ({
  topic: 'machine/17',
  payload: Buffer.from(payload),
  params: { id: '17' },
  receivedAt,
  redelivered: false,
});

const ok = { request_ok: true, message: '' };

describe('board replies', () => {
  it('answers a request on its reply topic', async () => {
    const { handler, published } = handlerWith(async () => ok);
    await handler.handle(message('{"action":"startuse", "uid":"aabbccd1"}'));
    expect(published).toEqual([{ topic: 'machine/17/reply', payload: JSON.stringify(ok) }]);
  });

  it('sends nothing for a request the board stopped waiting for (more than 2 s old)', async () => {
    const { handler, published } = handlerWith(async () => ok);
    await handler.handle(message('{"action":"startuse", "uid":"aabbccd1"}', new Date(Date.now() - 2_500)));
    expect(published).toEqual([]);
  });

  it('answers a failing request once at once, then retries in order without a second answer', async () => {
    const calls: string[] = [];
    let failures = 2;
    const { handler, published } = handlerWith(async (_code, request) => {
      calls.push(request.action);
      if (request.action === 'startuse' && failures-- > 0) throw new Error('database down');
      return ok;
    });
    const start = handler.handle(message('{"action":"startuse", "uid":"aabbccd1"}'));
    const stop = handler.handle(message('{"action":"stopuse", "uid":"aabbccd1", "duration":5}'));
    await Promise.all([start, stop]);
    expect(calls).toEqual(['startuse', 'startuse', 'startuse', 'stopuse']);
    expect(published.map((p) => JSON.parse(p.payload))).toEqual([
      { request_ok: false, message: 'BACKEND EXCEPTION' },
      ok,
    ]);
    handler.onModuleDestroy();
  });
});
