import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ExperimentsModule } from '../experiments/experiments.module.js';
import { LeakDetectionModule } from '../leak-detection/leak-detection.module.js';
import { DatabaseProbe } from '../shared/database/database-probe.service.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { AlarmConditionRepository } from './application/alarm-conditions.ports.js';
import { AlarmConditionsService } from './application/alarm-conditions.service.js';
import { AccessAlarmsService } from './application/sources/access-alarms.service.js';
import { LeakAlarmsService } from './application/sources/leak-alarms.service.js';
import { PvAlarmsService } from './application/sources/pv-alarms.service.js';
import { ServiceHealthAlarmsService } from './application/sources/service-health-alarms.service.js';
import { WeldingAlarmsService } from './application/sources/welding-alarms.service.js';
import { SqlAlarmConditionRepository } from './infrastructure/alarm-conditions.repository.js';
import { AlarmConditionsResolver } from './presentation/alarm-conditions.resolver.js';
import { IdentityModule } from '../identity/identity.module.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import { AlarmSignals } from './application/alarm-signals.js';
import { AfterCommit, AlarmRepository } from './application/alarms.ports.js';
import { AlarmsService } from './application/alarms.service.js';
import { AlarmNotificationsModule } from './alarm-notifications.module.js';
import { TypeormAfterCommit } from './infrastructure/after-commit.adapter.js';
import { SqlAlarmRepository } from './infrastructure/alarms.repository.js';
import { AlarmsResolver } from './presentation/alarms.resolver.js';

/**
 * alarms: one alarm lifecycle for every context (ISA-18.2 states, shelving, out of service,
 * one open alarm per (source, type)), the sources that turn other contexts' events into
 * conditions, and notification rules delivered through the outbox.
 *
 *   application/alarm-signals.ts  the contract between sources, the lifecycle and notification rules
 *   domain/alarm.ts               the vocabulary: source kinds, severities, states, suppressions, transitions
 *   domain/alarm-lifecycle.ts     the ISA-18.2 state machine: acknowledge, clear, re-raise, shelving rules
 *   domain/alarm-health.ts        health figures over a window: per hour, peak per 10 minutes, floods,
 *                                 chattering (3 in a minute), stale (active > 24 h)
 *   application/alarms.service.ts the lifecycle (implements AlarmSignals): one transaction per transition with
 *                                 its alarm_transitions row and AlarmTransitionHooks, alarmChanged after commit,
 *                                 shelves run out on a timer (one replica takes each), out of service
 *   application/alarms.ports.ts   AlarmRepository, AfterCommit
 *   infrastructure/alarms.repository.ts
 *                                 SQL: the raise as one INSERT … ON CONFLICT on the partial unique index
 *                                 (one open alarm per source and type), the clear as one UPDATE
 *   infrastructure/after-commit.adapter.ts
 *                                 callbacks run when the (ambient) transaction commits
 *   presentation/alarms.*         alarms, alarm, alarmHistory, alarmSummary, alarmHealth; acknowledge, assign,
 *                                 shelve, unshelve, setAlarmSourceOutOfService; alarmChanged
 *   domain/alarm-conditions.ts, application/alarm-conditions.service.ts, presentation/alarm-conditions.*
 *                                 conditions as data (alarm_conditions: on/off, severity, parameters, message);
 *                                 alarmConditions, updateAlarmCondition
 *   application/sources/          one source per context's events, raising through the conditions: welding
 *                                 episodes, anomaly levels and confirmed leaks, PV threshold episodes (in the
 *                                 derived stage's transaction on the owning replica), the status board, the
 *                                 service's own health
 */
@Module({
  imports: [
    DatabaseModule,
    IdentityModule,
    TelemetryModule,
    LeakDetectionModule,
    ExperimentsModule,
    AccessModule,
    AlarmNotificationsModule,
  ],
  providers: [
    // Alarm sources: conditions as data (alarm_conditions), one service per context's events.
    AlarmConditionsService,
    { provide: AlarmConditionRepository, useClass: SqlAlarmConditionRepository },
    AlarmConditionsResolver,
    WeldingAlarmsService,
    LeakAlarmsService,
    PvAlarmsService,
    AccessAlarmsService,
    ServiceHealthAlarmsService,
    DatabaseProbe,
    // The alarm lifecycle.
    AlarmsService,
    { provide: AlarmSignals, useExisting: AlarmsService },
    { provide: AlarmRepository, useClass: SqlAlarmRepository },
    { provide: AfterCommit, useClass: TypeormAfterCommit },
    AlarmsResolver,
    // AlarmTransitionHooks come from AlarmNotificationsModule (notification rules).
  ],
  exports: [AlarmSignals],
})
export class AlarmsModule {}
