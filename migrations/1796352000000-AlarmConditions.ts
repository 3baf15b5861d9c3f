import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alarm conditions (issue 11 item 2): one row per alarm type the sources raise, seeded with
 * the defaults; operators change enabled, severity, parameters and the message template.
 * Which parameters a type has is checked by the service (domain/alarm-conditions.ts).
 */
export class AlarmConditions1796352000000 implements MigrationInterface {
  name = 'AlarmConditions1796352000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "alarm_conditions" (
      "type" varchar(64) NOT NULL,
      "source_kind" varchar(16) NOT NULL,
      "enabled" boolean NOT NULL DEFAULT true,
      "severity" varchar(16) NOT NULL,
      "parameters" jsonb NOT NULL DEFAULT '{}'::jsonb,
      "message_template" varchar(500) NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "updated_by" uuid,
      CONSTRAINT "PK_alarm_conditions" PRIMARY KEY ("type"),
      CONSTRAINT "CHK_alarm_conditions_kind" CHECK ("source_kind" IN ('MACHINE', 'SENSOR', 'PV', 'BOARD', 'SERVICE')),
      CONSTRAINT "CHK_alarm_conditions_severity" CHECK ("severity" IN ('CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE')),
      CONSTRAINT "CHK_alarm_conditions_parameters" CHECK (jsonb_typeof("parameters") = 'object'),
      CONSTRAINT "FK_alarm_conditions_updated_by" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await queryRunner.query(
      `INSERT INTO "alarm_conditions" ("type", "source_kind", "severity", "parameters", "message_template") VALUES
        ('OUT_OF_STANDARD', 'MACHINE', 'MAJOR', '{}', 'Machine {source} welds outside its standard band ({value} A)'),
        ('ANOMALY_WARNING', 'SENSOR', 'WARNING', '{}', 'Sensor {source}: anomaly level WARNING ({percent} %, {value} ppmv)'),
        ('ANOMALY_CRITICAL', 'SENSOR', 'CRITICAL', '{}', 'Sensor {source}: anomaly level CRITICAL ({percent} %, {value} ppmv)'),
        ('LEAK_CONFIRMED', 'SENSOR', 'CRITICAL', '{}', 'Leak confirmed at sensor {source}: {detail}'),
        ('PV_OUT_OF_BAND', 'PV', 'MINOR', '{}', 'PV {source} of experiment {experiment} is out of its band: {value} ({detail})'),
        ('MAINTENANCE_OVERDUE', 'MACHINE', 'WARNING', '{}', 'Machine {source}: maintenance overdue ({detail})'),
        ('BOARD_OFFLINE', 'BOARD', 'MAJOR', '{"offlineAfterSeconds": 90}', 'RFID board of machine {source} is offline ({detail})'),
        ('DATABASE_DOWN', 'SERVICE', 'CRITICAL', '{"minOutageSeconds": 5}', 'The database did not answer {source}: {detail}'),
        ('BROKER_DISCONNECTED', 'SERVICE', 'CRITICAL', '{"afterSeconds": 10}', 'The MQTT broker connection of {source} is lost ({detail})'),
        ('INGESTION_REJECTS', 'SERVICE', 'MAJOR', '{"maxPerMinute": 60}', '{source} rejected {value} MQTT messages in the last minute')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "alarm_conditions"');
  }
}
