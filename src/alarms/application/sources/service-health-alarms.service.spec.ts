import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../../config/app-config.js';
import type { DatabaseProbe } from '../../../shared/database/database-probe.service.js';
import type { MqttService } from '../../../shared/mqtt/mqtt.service.js';
import type { MetricsService } from '../../../shared/observability/metrics.service.js';
import { recordingConditions } from './alarm-signals.fixture.js';
import {
  BROKER_DISCONNECTED,
  DATABASE_DOWN,
  INGESTION_REJECTS,
  ServiceHealth,
  ServiceHealthAlarmsService,
  type HealthReading,
  type HealthSignal,
} from './service-health-alarms.service.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const RULES = { minOutageMs: 5_000, brokerAfterMs: 10_000, maxRejectsPerMinute: 60 };

function reading(s: number, fields: Partial<HealthReading> = {}): HealthReading {
  return { at: new Date(T0 + s * 1000), databaseAnswers: true, brokerConnected: true, rejectedTotal: 0, ...fields };
}
const brief = (signals: HealthSignal[]) =>
  signals.map((x) => `${x.raise ? '+' : '-'}${x.type}@${(x.at.getTime() - T0) / 1000}`);

/** A health that has told the alarms everything it asked for so far. */
function lookAll(health: ServiceHealth, r: HealthReading): string[] {
  const signals = health.look(r, RULES);
  for (const s of signals) health.given(s);
  return brief(signals);
}

describe('ServiceHealth', () => {
  it('clears the broker and rejects alarms once after a start, then stays quiet while healthy', () => {
    const health = new ServiceHealth();
    expect(lookAll(health, reading(0))).toEqual([`-${BROKER_DISCONNECTED}@0`, `-${INGESTION_REJECTS}@0`]);
    expect(lookAll(health, reading(2))).toEqual([]);
  });

  it('raises a database outage when the database answers again, at its start, then clears it', () => {
    const health = new ServiceHealth();
    lookAll(health, reading(0));
    expect(lookAll(health, reading(2, { databaseAnswers: false }))).toEqual([]);
    expect(lookAll(health, reading(4, { databaseAnswers: false }))).toEqual([]);
    expect(lookAll(health, reading(12))).toEqual([`+${DATABASE_DOWN}@2`, `-${DATABASE_DOWN}@12`]);
    expect(lookAll(health, reading(14))).toEqual([]);
  });

  it('ignores an outage shorter than minOutageSeconds', () => {
    const health = new ServiceHealth();
    lookAll(health, reading(0));
    lookAll(health, reading(2, { databaseAnswers: false }));
    expect(lookAll(health, reading(4))).toEqual([]);
  });

  it('asks again for an outage report that could not be stored', () => {
    const health = new ServiceHealth();
    lookAll(health, reading(0));
    health.look(reading(2, { databaseAnswers: false }), RULES);
    expect(brief(health.look(reading(10), RULES))).toEqual([`+${DATABASE_DOWN}@2`, `-${DATABASE_DOWN}@10`]);
    expect(lookAll(health, reading(12))).toEqual([`+${DATABASE_DOWN}@2`, `-${DATABASE_DOWN}@10`]);
    expect(lookAll(health, reading(14))).toEqual([]);
  });

  it('raises a lost broker connection after the delay, at the disconnection, and clears on reconnection', () => {
    const health = new ServiceHealth();
    lookAll(health, reading(0));
    expect(lookAll(health, reading(2, { brokerConnected: false }))).toEqual([]);
    expect(lookAll(health, reading(10, { brokerConnected: false }))).toEqual([]);
    expect(lookAll(health, reading(12, { brokerConnected: false }))).toEqual([`+${BROKER_DISCONNECTED}@2`]);
    expect(lookAll(health, reading(14, { brokerConnected: false }))).toEqual([]);
    expect(lookAll(health, reading(16))).toEqual([`-${BROKER_DISCONNECTED}@16`]);
  });

  it('counts the rejects of the process before its first look as recent', () => {
    const health = new ServiceHealth();
    expect(lookAll(health, reading(0, { rejectedTotal: 61 }))).toEqual([
      `-${BROKER_DISCONNECTED}@0`,
      `+${INGESTION_REJECTS}@0`,
    ]);
  });

  it('raises rejects above the rate of the last minute and clears once the minute is calm again', () => {
    const health = new ServiceHealth();
    lookAll(health, reading(0));
    expect(lookAll(health, reading(10, { rejectedTotal: 60 }))).toEqual([]);
    const signals = health.look(reading(20, { rejectedTotal: 61 }), RULES);
    expect(signals).toEqual([
      { raise: true, type: INGESTION_REJECTS, at: new Date(T0 + 20_000), value: 61, detail: '61' },
    ]);
    signals.forEach((s) => health.given(s));
    expect(lookAll(health, reading(50, { rejectedTotal: 61 }))).toEqual([]);
    expect(lookAll(health, reading(80, { rejectedTotal: 61 }))).toEqual([`-${INGESTION_REJECTS}@80`]);
  });
});

describe('ServiceHealthAlarmsService', () => {
  it('signals per replica, and tries again what the alarms could not store', async () => {
    const { conditions, signals } = await recordingConditions();
    let answers = true;
    const database = { answers: () => Promise.resolve(answers) } as unknown as DatabaseProbe;
    const mqtt = { isConnected: () => true } as unknown as MqttService;
    const metrics = { registry: { getSingleMetric: () => undefined } } as unknown as MetricsService;
    const sut = new ServiceHealthAlarmsService(database, mqtt, metrics, conditions, {
      MQTT_CLIENT_ID: 'replica-a',
    } as AppConfig);

    signals.failing = true;
    await sut.check();
    expect(signals.signals).toEqual([]);
    signals.failing = false;
    await sut.check();
    expect(signals.signals.map((s) => `${s.op} ${s.type} ${s.key}`)).toEqual([
      `clear ${BROKER_DISCONNECTED} SERVICE:broker@replica-a`,
      `clear ${INGESTION_REJECTS} SERVICE:ingestion@replica-a`,
    ]);
    answers = false;
    await sut.check();
    expect(signals.signals).toHaveLength(2);
  });
});
