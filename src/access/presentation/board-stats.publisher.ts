import { hostname } from 'node:os';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { BoardMqttHandler } from './board.mqtt-handler.js';

const STATS_INTERVAL_MS = 5_000;

/**
 * The original backend's statistics on `stats/{client id}` every ~5 s (PROTOCOLS.md section
 * B); nothing in FAB-O-MATIC consumes them. Off unless ACCESS_STATS_ENABLED.
 */
@Injectable()
export class BoardStatsPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly mqtt: MqttService,
    private readonly boards: BoardMqttHandler,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.ACCESS_STATS_ENABLED) return;
    this.timer = setInterval(() => void this.publish(), STATS_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** QoS 0 fails while disconnected: that sample is simply skipped, as the original does. */
  async publish(): Promise<void> {
    if (!this.mqtt.isConnected()) return;
    const stats = {
      Connected: true,
      'Backend host': hostname(),
      Received: this.boards.traffic.received,
      Sent: this.boards.traffic.sent,
    };
    await this.mqtt
      .publish(`stats/${this.config.MQTT_CLIENT_ID}`, JSON.stringify(stats), { qos: 0 })
      .catch(() => undefined);
  }
}
