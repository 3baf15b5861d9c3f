import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { InboundMessage } from '../../shared/mqtt/inbound-message.js';
import { LogThrottle } from '../../shared/observability/log-throttle.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { BACKEND_FAILURE_MESSAGE, refusal, type BoardReply, type BoardRequest } from '../application/board-exchange.js';
import { BoardProtocolService } from '../application/board-protocol.service.js';
import { boardMachineCode, encodeReply, expectsReply, parseBoardRequest } from './board-messages.js';

/** How long a board waits for a reply (PROTOCOLS.md section B); later, none is sent. */
const BOARD_REPLY_WINDOW_MS = 2_000;

/**
 * `{root}/{id}` → `{root}/{id}/reply` (PROTOCOLS.md section B). The board takes whatever
 * arrives next on its reply topic as the answer, so the route handles one message at a time
 * per machine (retries after a database failure included: a stop queued behind a failed
 * start applies after it), and this handler answers each request that expects a reply
 * exactly once: after the commit, or at once with a refusal when the first attempt fails
 * (the retries are not answered again); never to `alive`, bad input, a broker redelivery,
 * or later than the board waits.
 */
@Injectable()
export class BoardMqttHandler implements OnModuleInit {
  private readonly logger = new Logger(BoardMqttHandler.name);
  private readonly publishLog = new LogThrottle(60_000);
  private readonly metrics: ReturnType<typeof declareMetrics>;
  /** For the stats topic: messages received on the board route and replies sent since start. */
  readonly traffic = { received: 0, sent: 0 };

  constructor(
    private readonly mqtt: MqttService,
    private readonly protocol: BoardProtocolService,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.metrics = declareMetrics(metrics);
  }

  onModuleInit(): void {
    // Shared between replicas when a group is configured: each request reaches one replica, which answers it.
    this.mqtt.route(`${this.config.ACCESS_MQTT_ROOT}/+id`, (message) => this.handle(message), {
      name: 'access-board',
      serialBy: (message) => message.params.id,
    });
  }

  async handle(message: InboundMessage): Promise<void> {
    const firstAttempt = (message.attempt ?? 1) === 1;
    if (firstAttempt) this.traffic.received++;
    const code = boardMachineCode(message.params.id, message.topic);
    const request = parseBoardRequest(message.payload, message.topic);
    // Sent again by the broker after a crash: the same message twice, which the use rules treat as a replay.
    if (message.redelivered && 'replay' in request) request.replay = true;
    let reply: BoardReply | null;
    try {
      reply = await this.protocol.answer(code, request, message.receivedAt);
    } catch (error) {
      if (firstAttempt) {
        // Answered at once: the board would wait 2 s for nothing and then stop talking for 45 s.
        this.metrics.requests.inc({ action: request.action, outcome: 'failed' });
        await this.reply(code, request, message, refusal(request.action, BACKEND_FAILURE_MESSAGE));
      }
      throw error;
    }
    this.metrics.requests.inc({ action: request.action, outcome: outcomeOf(reply) });
    // A retry's board got its refusal already.
    if (firstAttempt) await this.reply(code, request, message, reply);
  }

  private async reply(
    code: string,
    request: BoardRequest,
    message: InboundMessage,
    reply: BoardReply | null,
  ): Promise<void> {
    // A message the broker redelivers (DUP) was received before a crash: its board stopped waiting long ago.
    if (!reply || !expectsReply(request.action) || message.redelivered) return;
    // The board stopped waiting after 2 s and takes whatever comes next on its reply topic as
    // the answer to its next request: a late reply would be mistaken for that one.
    if (Date.now() - message.receivedAt.getTime() > BOARD_REPLY_WINDOW_MS) {
      this.metrics.requests.inc({ action: request.action, outcome: 'reply_too_late' });
      return;
    }
    try {
      await this.mqtt.publish(`${this.config.ACCESS_MQTT_ROOT}/${code}/reply`, encodeReply(reply), { qos: 0 });
      this.traffic.sent++;
      this.metrics.latency.observe({ action: request.action }, (Date.now() - message.receivedAt.getTime()) / 1000);
    } catch (error) {
      // QoS 0 while disconnected: the board times out; redoing the committed work would not help.
      this.metrics.requests.inc({ action: request.action, outcome: 'reply_lost' });
      const suppressed = this.publishLog.take('reply');
      if (suppressed !== undefined) this.logger.warn(`A board reply was not sent: ${(error as Error).message}`);
    }
  }
}

function outcomeOf(reply: BoardReply | null): string {
  if (!reply) return 'no_reply';
  return reply.request_ok ? 'ok' : 'refused';
}

function declareMetrics(metrics: MetricsService) {
  return {
    requests: metrics.counter(
      'plantgraph_access_board_requests_total',
      'RFID board requests handled, by action and outcome',
      ['action', 'outcome'],
    ),
    latency: metrics.histogram(
      'plantgraph_access_board_reply_seconds',
      'From receiving a board request to publishing its reply, by action',
      ['action'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    ),
  };
}
