import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { InboundMessage } from '../../shared/mqtt/inbound-message.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { TelemetryIngestionService } from '../application/telemetry-ingestion.service.js';
import { parseAxes } from './telemetry-payloads.js';
import { machineTopic, settle, sourceOf } from './telemetry-topics.js';

/** `{PLANT_MQTT_ROOT}/machines/{code}/axes`: one reading or an array of them. */
@Injectable()
export class AxesMqttHandler implements OnModuleInit {
  constructor(
    private readonly mqtt: MqttService,
    private readonly ingestion: TelemetryIngestionService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.mqtt.route(machineTopic(this.config.PLANT_MQTT_ROOT, 'axes'), (message) => this.handle(message));
  }

  async handle(message: InboundMessage): Promise<void> {
    const readings = parseAxes(message.payload, message.receivedAt);
    const source = sourceOf(message);
    settle(await this.ingestion.ingestAxes(source, readings), source);
  }
}
