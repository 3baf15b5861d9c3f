import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || typeof value === 'boolean'
    ? value
    : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase())
      ? true
      : ['0', 'false', 'no', 'off'].includes(String(value).toLowerCase())
        ? false
        : value;
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Secrets that ship in .env.example and the README: refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'plantgraph-development-secret-change-me';
export const WELL_KNOWN_ADMIN_PASSWORDS = ['admin', 'password', 'changeme', 'plantgraph', 'admin123'];

/**
 * Every setting the service reads, with its default. The only reader of process.env:
 * it is validated once at boot and injected everywhere else as AppConfig.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() HOST = '0.0.0.0';
  /** Express "trust proxy": behind a reverse proxy, the client address (login throttle) comes from X-Forwarded-For. */
  @Transform(toBool) @IsBoolean() TRUST_PROXY = false;

  /** postgres://user:pass@host:port/db — when unset, an embedded PostgreSQL is started. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\//) DATABASE_URL?: string = undefined;
  @IsString() EMBEDDED_PG_DIR = '.data/postgres';
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) EMBEDDED_PG_PORT = 5432;
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 20;

  /** mqtt://host:port — when unset, an embedded broker is started. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^mqtts?:\/\/|^wss?:\/\//) MQTT_URL?: string = undefined;
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) EMBEDDED_MQTT_PORT = 1883;
  @Matches(/^[A-Za-z0-9_-]{1,23}$/) MQTT_CLIENT_ID = 'plantgraph';
  /** Shared-subscription group for several replicas ($share/<group>/…); empty = plain subscriptions. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[A-Za-z0-9_-]+$/) MQTT_SHARED_GROUP?: string = undefined;
  @Transform(toInt) @IsInt() @Min(128) MQTT_MAX_PAYLOAD_BYTES = 256 * 1024;
  @Transform(toInt) @IsInt() @Min(1) MQTT_MAX_IN_FLIGHT = 5000;
  @Transform(emptyToUndefined) @IsOptional() @IsString() MQTT_USERNAME?: string = undefined;
  @Transform(emptyToUndefined) @IsOptional() @IsString() MQTT_PASSWORD?: string = undefined;

  /** Root of the FAB-O-MATIC board topics ({root}/{id}, {root}/{id}/reply); the firmware hard-codes `machine`. */
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/) ACCESS_MQTT_ROOT = 'machine';
  /** Publish board-protocol statistics on stats/{MQTT_CLIENT_ID} every ~5 s, as the original backend did; nothing consumes them. */
  @Transform(toBool) @IsBoolean() ACCESS_STATS_ENABLED = false;

  /** Root of the plant telemetry topics ({root}/machines/{code}/electrical, …); PROTOCOLS.md A: default `plant`. */
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/) PLANT_MQTT_ROOT = 'plant';

  /** Daily sample partitions are created this many days ahead of today. */
  @Transform(toInt) @IsInt() @Min(1) @Max(365) TELEMETRY_PARTITION_DAYS_AHEAD = 7;
  /** Samples (and their rollups) older than this many days are dropped, a day's partition at a time; 0 keeps them forever. */
  @Transform(toInt) @IsInt() @Min(0) @Max(36500) TELEMETRY_RETENTION_DAYS = 30;
  /** Silence longer than this ends a machine's open state segment at its last reading. */
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) MACHINE_STATE_GAP_SECONDS = 300;
  /** At start, a machine without any state segment is caught up from its samples of this many hours back. */
  @Transform(toInt) @IsInt() @Min(1) @Max(8784) MACHINE_STATE_CATCH_UP_HOURS = 24;
  /** Production figures leave out readings this far above the highest active standard (implausible spikes). */
  @Transform(toInt) @IsInt() @Min(0) @Max(100000) PRODUCTION_SPIKE_MARGIN_AMPS = 50;
  @Transform(toInt) @IsInt() @Min(0) @Max(100000) PRODUCTION_SPIKE_MARGIN_VOLTS = 20;

  /** redis://host:port — when set, subscription events travel through Redis to every replica. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^rediss?:\/\//) REDIS_URL?: string = undefined;

  @IsString() @MinLength(16) JWT_SECRET = DEVELOPMENT_JWT_SECRET;
  @Transform(toInt) @IsInt() @Min(30) @Max(86400) JWT_ACCESS_TTL_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(1) @Max(365) REFRESH_TOKEN_TTL_DAYS = 30;

  @IsEmail() ADMIN_EMAIL = 'admin@plantgraph.local';
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8) ADMIN_PASSWORD?: string = undefined;

  @Transform(toInt) @IsInt() @Min(1) LOGIN_MAX_FAILURES_PER_EMAIL = 5;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_MAX_FAILURES_PER_CLIENT = 20;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_THROTTLE_WINDOW_SECONDS = 900;

  @Transform(toInt) @IsInt() @Min(2) @Max(50) GRAPHQL_MAX_DEPTH = 12;
  @Transform(toInt) @IsInt() @Min(10) GRAPHQL_MAX_COMPLEXITY = 5000;

  /** RFID access privacy: uses and interventions older than this are anonymised (daily purge). */
  @Transform(toInt) @IsInt() @Min(1) @Max(36500) ACCESS_RETENTION_DAYS = 365;
  /** Attempts of unknown RFID cards older than this are deleted (daily purge). */
  @Transform(toInt) @IsInt() @Min(1) @Max(36500) ACCESS_UNKNOWN_CARD_RETENTION_DAYS = 30;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** Human-readable logs; default on in development, JSON lines otherwise. */
  @Transform(toBool) @IsOptional() @IsBoolean() LOG_PRETTY?: boolean = undefined;

  /** The built-in device simulator; default on when both PostgreSQL and the broker are embedded. */
  @Transform(toBool) @IsOptional() @IsBoolean() SIMULATOR?: boolean = undefined;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Builds and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const input = Object.fromEntries(known.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const config = plainToInstance(AppConfig, input, { exposeDefaultValues: true });
  const problems = validateSync(config, { forbidUnknownValues: false }).map(
    (e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  if (config.isProduction) {
    if (!env.JWT_SECRET || config.JWT_SECRET === DEVELOPMENT_JWT_SECRET)
      problems.push('JWT_SECRET: must be set to a secret of your own when NODE_ENV=production');
    if (config.ADMIN_PASSWORD && WELL_KNOWN_ADMIN_PASSWORDS.includes(config.ADMIN_PASSWORD.toLowerCase()))
      problems.push('ADMIN_PASSWORD: a well-known default password is refused when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
