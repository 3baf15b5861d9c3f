import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import type { InboundMessage, MqttHandler } from '../../shared/mqtt/inbound-message.js';
import type { MqttService, RouteOptions } from '../../shared/mqtt/mqtt.service.js';
import { RouteDispatcher } from '../../shared/mqtt/route-dispatcher.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import type { BoardProtocolService } from '../application/board-protocol.service.js';
import { BoardMqttHandler } from './board.mqtt-handler.js';

/**
 * The handler as MqttService runs it: registered on its route, and called through the
 * route's dispatcher (one message at a time per machine, retries with a 1 ms backoff).
 */
function handlerWith(answer: BoardProtocolService['answer']) {
  const published: Array<{ topic: string; payload: string }> = [];
  let dispatcher!: RouteDispatcher;
  const mqtt = {
    route: (_pattern: string, handler: MqttHandler, options: RouteOptions) => {
      dispatcher = new RouteDispatcher(
        handler,
        { rejected: () => undefined, failed: () => undefined },
        stopping.signal,
        {
          serialBy: options.serialBy,
          delayOf: () => 1,
        },
      );
    },
    publish: async (topic: string, payload: string) => void published.push({ topic, payload }),
  } as unknown as MqttService;
  const stopping = new AbortController();
  const protocol = { answer } as unknown as BoardProtocolService;
  const config = { ACCESS_MQTT_ROOT: 'machine' } as AppConfig;
  const handler = new BoardMqttHandler(mqtt, protocol, config, new MetricsService());
  handler.onModuleInit();
  const deliver = (m: InboundMessage) => dispatcher.dispatch(m, () => false);
  return { handler, deliver, published, stop: () => stopping.abort() };
}

const message = (payload: string, fields: Partial<InboundMessage> = {}): InboundMessage => ({
  topic: 'machine/17',
  payload: Buffer.from(payload),
  params: { id: '17' },
  receivedAt: new Date(),
  redelivered: false,
  ...fields,
});

const ok = { request_ok: true, message: '' };
const start = '{"action":"startuse", "uid":"aabbccd1"}';

describe('board replies', () => {
  it('answers a request on its reply topic', async () => {
    const { deliver, published, handler } = handlerWith(async () => ok);
    expect(await deliver(message(start))).toBe(true);
    expect(published).toEqual([{ topic: 'machine/17/reply', payload: JSON.stringify(ok) }]);
    expect(handler.traffic).toEqual({ received: 1, sent: 1 });
  });

  it('sends nothing for a request the board stopped waiting for (more than 2 s old)', async () => {
    const { deliver, published } = handlerWith(async () => ok);
    await deliver(message(start, { receivedAt: new Date(Date.now() - 2_500) }));
    expect(published).toEqual([]);
  });

  it('sends nothing to a broker redelivery, and handles it as a replay', async () => {
    const replays: boolean[] = [];
    const { deliver, published } = handlerWith(async (_code, request) => {
      if (request.action === 'startuse') replays.push(request.replay);
      return ok;
    });
    await deliver(message(start, { redelivered: true }));
    expect(published).toEqual([]);
    expect(replays).toEqual([true]);
  });

  it('answers a failing request once at once, then retries in order without a second answer', async () => {
    const calls: string[] = [];
    let failures = 2;
    const { deliver, published, handler } = handlerWith(async (_code, request) => {
      calls.push(request.action);
      if (request.action === 'startuse' && failures-- > 0) throw new Error('database down');
      return request.action === 'stopuse' ? { request_ok: true, message: 'Duration 5 seconds' } : ok;
    });
    const results = await Promise.all([
      deliver(message(start)),
      deliver(message('{"action":"stopuse", "uid":"aabbccd1", "duration":5}')),
    ]);
    expect(results).toEqual([true, true]);
    expect(calls).toEqual(['startuse', 'startuse', 'startuse', 'stopuse']);
    expect(published.map((p) => JSON.parse(p.payload))).toEqual([
      { request_ok: false, message: 'BACKEND EXCEPTION' },
      { request_ok: true, message: 'Duration 5 seconds' },
    ]);
    // A retried message counts once.
    expect(handler.traffic).toEqual({ received: 2, sent: 2 });
  });

  it('never answers alive, even when it fails', async () => {
    let failures = 1;
    const { deliver, published } = handlerWith(async () => {
      if (failures-- > 0) throw new Error('database down');
      return null;
    });
    expect(await deliver(message('{"action":"alive", "version":"1.0", "ip":"10.0.0.2"}'))).toBe(true);
    expect(published).toEqual([]);
  });
});
