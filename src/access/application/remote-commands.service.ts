import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { UsersService } from '../../identity/application/users.service.js';
import { ConflictError, InvalidInputError } from '../../shared/errors/domain-errors.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { isBoardCode } from '../domain/access-status.js';
import { isOnline, ONLINE_WINDOW_MS } from '../domain/board.js';

export type RemoteCommand = 'start' | 'stop';

export interface RemoteCommandSent {
  machineCode: string;
  requestType: RemoteCommand;
  cardUid: string;
  sentAt: Date;
}

/**
 * Remote start/stop (PROTOCOLS.md section B): the board is told to log the caller's card in
 * or out, and answers with its ordinary traffic. Sent only to a board heard from in the last
 * 90 s, QoS 0 like every message to boards (a command for a board that is gone is dropped).
 */
@Injectable()
export class RemoteCommandsService {
  constructor(
    private readonly machines: MachinesService,
    private readonly users: UsersService,
    private readonly mqtt: MqttService,
    private readonly config: AppConfig,
  ) {}

  async send(machineCode: string, requestType: RemoteCommand, callerId: string, now = new Date()) {
    if (!isBoardCode(machineCode))
      throw new InvalidInputError('RFID boards only have numeric machine codes', {
        machineCode: 'must be all digits (the machine id of an RFID board)',
      });
    const machine = await this.machines.get(machineCode);
    const caller = await this.users.get(callerId);
    if (caller.disabled || !caller.cardUid)
      throw new ConflictError('Remote commands are sent with your RFID card: you hold none', { reason: 'NO_CARD' });
    if (!isOnline(machine.lastSeenAt, now))
      throw new ConflictError(
        `Machine ${machineCode} is offline: no board message in the last ${ONLINE_WINDOW_MS / 1000} s`,
        {
          reason: 'MACHINE_OFFLINE',
          lastSeenAt: machine.lastSeenAt?.toISOString() ?? null,
        },
      );
    const payload = JSON.stringify({ request_type: requestType, uid: caller.cardUid });
    await this.mqtt.publish(`${this.config.ACCESS_MQTT_ROOT}/${machine.code}/request`, payload, { qos: 0 });
    return { machineCode: machine.code, requestType, cardUid: caller.cardUid, sentAt: now };
  }
}
