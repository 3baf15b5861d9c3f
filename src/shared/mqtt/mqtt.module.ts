import { Global, Module } from '@nestjs/common';
import { MqttService } from './mqtt.service.js';

/** The service's one MQTT client, injectable everywhere; contexts register their routes on it. */
@Global()
@Module({ providers: [MqttService], exports: [MqttService] })
export class MqttModule {}
