import { Injectable } from '@nestjs/common';
import { UsersService } from '../../identity/application/users.service.js';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../shared/database/transactions.js';
import { DomainError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { pvTopicPath } from '../domain/pv-name.js';
import { checkSetValue, type SetRefusal } from '../domain/pv-values.js';
import { ExperimentsRegistryService, type Viewer } from './experiments-registry.service.js';
import { PvSetRepository, type PvSet } from './experiments.ports.js';

/** Why a set was refused, in `extensions.reason` (with the code, for clients that branch on it). */
export type PvSetRefusalReason = SetRefusal | 'NOT_WRITABLE' | 'BROKER_UNAVAILABLE' | 'BROKER_TIMEOUT';

/** A value that does not fit the PV: BAD_USER_INPUT naming `value`. */
export class PvValueRefusedError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string, reason: SetRefusal, problem: string) {
    super(message, { reason, fields: { value: problem } });
  }
}

export class PvNotWritableError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(name: string) {
    super(`PV ${name} is not writable`, { reason: 'NOT_WRITABLE' satisfies PvSetRefusalReason });
  }
}

/** The broker did not take the value (down, or no acknowledgement in time): nothing was set; try again. */
export class BrokerRefusedError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message: string, reason: 'BROKER_UNAVAILABLE' | 'BROKER_TIMEOUT') {
    super(message, { reason, retryable: true, retryAfterSeconds: 5 });
  }
}

export interface PvSetWithUser extends PvSet {
  userDisplayName: string | null;
}

export interface PvSetQuery {
  experimentName?: string;
  pvName?: string;
  userId?: string;
  from?: Date;
  to?: Date;
}

type Page = { offset: number; limit: number };

/**
 * Setting a PV (PROTOCOLS.md A, outbound): only a writable PV, only by a viewer who sees its
 * experiment (assigned, or an administrator); the value is checked against the PV's type and
 * set range, then published as plain text on `{PV_SET_PREFIX}/{pv with ':' → '/'}` at QoS 1.
 * The record of the set is written in a transaction that commits only once the broker has
 * acknowledged the message (PUBACK), within PV_SET_TIMEOUT_MS: a refused set leaves no record.
 */
@Injectable()
export class PvSetsService {
  constructor(
    private readonly registry: ExperimentsRegistryService,
    private readonly sets: PvSetRepository,
    private readonly users: UsersService,
    private readonly mqtt: MqttService,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {}

  async setPv(viewer: Viewer, name: string, raw: string): Promise<PvSetWithUser> {
    const pv = this.registry.visiblePv(viewer, name);
    if (!pv.writable) throw new PvNotWritableError(pv.name);
    const checked = checkSetValue(pv, raw);
    if ('refusal' in checked)
      throw new PvValueRefusedError(
        `Refused value for PV ${pv.name}: ${checked.problem}`,
        checked.refusal,
        checked.problem,
      );
    if (!this.mqtt.isConnected())
      throw new BrokerRefusedError('The MQTT broker is not connected: the value was not set', 'BROKER_UNAVAILABLE');
    const topic = `${this.config.PV_SET_PREFIX}/${pvTopicPath(pv.name)}`;
    const set = await this.transactions.run(async () => {
      const recorded = await this.sets.record({
        pvId: pv.id,
        userId: viewer.userId,
        value: checked.text,
        at: new Date(),
      });
      await this.publishConfirmed(topic, checked.text);
      return recorded;
    });
    const names = await this.users.displayNames([viewer.userId]);
    return { ...set, pvName: pv.name, userDisplayName: names.get(viewer.userId) ?? null };
  }

  async list(viewer: Viewer, query: PvSetQuery, page: Page): Promise<PageResult<PvSetWithUser>> {
    const experimentIds = query.experimentName
      ? [this.registry.visibleExperiment(viewer, query.experimentName).id]
      : this.registry.visibleIds(viewer);
    const pvIds = query.pvName ? [this.registry.visiblePv(viewer, query.pvName).id] : undefined;
    const result = await this.sets.list(
      { experimentIds, pvIds, userId: query.userId, from: query.from, to: query.to },
      page,
    );
    const names = await this.users.displayNames(result.items.flatMap((s) => (s.userId ? [s.userId] : [])));
    return {
      ...result,
      items: result.items.map((s) => ({ ...s, userDisplayName: s.userId ? (names.get(s.userId) ?? null) : null })),
    };
  }

  /** QoS 1: resolves on the broker's PUBACK; refused when it does not come in time or the publish fails. */
  private async publishConfirmed(topic: string, text: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BrokerRefusedError(
              `The MQTT broker did not acknowledge the value within ${this.config.PV_SET_TIMEOUT_MS} ms: it was not recorded as set (a broker that takes it late may still pass it on)`,
              'BROKER_TIMEOUT',
            ),
          ),
        this.config.PV_SET_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([
        this.mqtt.publish(topic, text, { qos: 1 }).catch((error: Error) => {
          throw new BrokerRefusedError(
            `The MQTT broker did not take the value: ${error.message}`,
            'BROKER_UNAVAILABLE',
          );
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
