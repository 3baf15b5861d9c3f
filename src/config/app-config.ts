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
const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** Who may ask for the GraphQL schema: anyone, callers with a valid access token, or nobody. */
export const INTROSPECTION_MODES = ['on', 'authenticated', 'off'] as const;
export type IntrospectionMode = (typeof INTROSPECTION_MODES)[number];

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

  /**
   * Derived state (machine state, …) is computed by one replica per source, under a lease in
   * PostgreSQL renewed every fifth of this: a replica that dies is replaced within about this long.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(600) DERIVED_STATE_LEASE_SECONDS = 10;
  /** With several replicas, samples wait this long at their source's owner, so that one stored elsewhere a moment earlier comes first. */
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) DERIVED_STATE_REORDER_MS = 500;
  /** Unregistered sources listed at most (anyone who can publish can invent codes); more are counted, not kept. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) UNREGISTERED_SOURCES_MAX = 1000;
  /** Unregistered sources not seen for this many days leave the list. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3650) UNREGISTERED_SOURCES_RETENTION_DAYS = 7;

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

  /** Leak detection: ppmv readings at or above this are sentinels or broken instruments, refused. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000_000) LEAK_PPMV_LIMIT = 10_000;
  /** Leak detection: readings and their anomaly levels older than this many days are dropped (0 = kept forever). */
  @Transform(toInt) @IsInt() @Min(0) @Max(36500) LEAK_RETENTION_DAYS = 365;
  /**
   * Leak detection: each sensor's baseline is augmented with its readings when this many seconds
   * passed since the last augmentation and two windows of readings came in (0 = on request only).
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(31_536_000) LEAK_BASELINE_AUGMENT_SECONDS = 86_400;
  /**
   * Leak detection: while a sensor stays CRITICAL and none of the episode's investigations confirmed
   * a leak, it is investigated again every this many readings, up to 3 times (0 = only at the change).
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(100_000) LEAK_REINVESTIGATE_READINGS = 12;

  /**
   * Experiments: a value set on a PV is published on {PV_SET_PREFIX}/{PV name with ':' → '/'} (PROTOCOLS.md A),
   * never under {PLANT_MQTT_ROOT}/pv, where PV values come in.
   */
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/) PV_SET_PREFIX = 'plant/pv-set';
  /** Experiments: how long setPv waits for the broker's acknowledgement (PUBACK) before refusing the set. */
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000) PV_SET_TIMEOUT_MS = 5000;
  /** Experiments: PV values older than this many days are dropped (0 = kept forever). */
  @Transform(toInt) @IsInt() @Min(0) @Max(36500) EXPERIMENTS_RETENTION_DAYS = 365;
  /** Experiments: base URL of an EPICS Archiver Appliance (…/retrieval/data/getData.json below it); unset = none. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/) ARCHIVER_URL?: string = undefined;
  /** Experiments: IANA zone of the archiver; naive times (without an offset) are read as its wall-clock time. */
  @IsString() ARCHIVER_TIMEZONE = 'UTC';
  /** Experiments: an archiver request not answered within this is refused (SERVICE_UNAVAILABLE). */
  @Transform(toInt) @IsInt() @Min(100) @Max(300_000) ARCHIVER_TIMEOUT_MS = 10_000;
  /**
   * Experiments: a threshold episode ends once a value is back inside [min, max] by at least this
   * percentage of (max − min) (min + h ≤ value ≤ max − h), so a value flapping at a limit raises one episode.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(49) PV_THRESHOLD_HYSTERESIS_PERCENT = 2;
  /** Experiments: the legacy alarm topic (the original's JSON message on threshold subscribe/unsubscribe); unset = off. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^\/?[^#+\s]+$/) PV_ALARM_TOPIC?: string = undefined;

  /** Worker threads for heavy computation (long jobs, batch matrix profiles), off the event loop. */
  @Transform(toInt) @IsInt() @Min(1) @Max(64) JOB_WORKERS = 1;

  /**
   * The nice value of those threads (Linux; 0 = as the service): on a machine with few cores a
   * baseline job otherwise competes with the event loop, PostgreSQL and the broker for the CPU.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(19) JOB_WORKER_NICE = 19;

  /**
   * The share of one core a background job's computation (baseline cleaning, a CSV import) may
   * take, in percent: it computes in slices of 2 ms and sleeps in between (shared/jobs/
   * job-progress.ts), so that live work keeps its latency on a machine with few cores, where a
   * lower priority alone does not help. 100 = no pauses. Queries that compute in the pool (a
   * batch matrix profile) are not paced: someone waits for them.
   */
  @Transform(toInt) @IsInt() @Min(5) @Max(100) JOB_CPU_PERCENT = 25;

  /** redis://host:port — when set, subscription events travel through Redis to every replica. */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^rediss?:\/\//) REDIS_URL?: string = undefined;

  /**
   * The SMTP server e-mail notifications go through (shared/mail). Unset: e-mails wait in the
   * outbox, retried, each saying why (visible in `outboxMessages`).
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() SMTP_HOST?: string = undefined;
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) SMTP_PORT = 587;
  /** true: TLS from the first byte (usually port 465); false: STARTTLS when offered, required with SMTP_REQUIRE_TLS. */
  @Transform(toBool) @IsBoolean() SMTP_SECURE = false;
  @Transform(toBool) @IsBoolean() SMTP_REQUIRE_TLS = false;
  @Transform(emptyToUndefined) @IsOptional() @IsString() SMTP_USER?: string = undefined;
  /** A secret: never logged. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() SMTP_PASSWORD?: string = undefined;
  /** The sender of every e-mail. */
  @IsString() @MinLength(3) MAIL_FROM = 'Plantgraph <plantgraph@localhost>';
  /** Notifications (e-mail, webhooks): attempts before a message is FAILED (re-sendable by hand). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100) OUTBOX_MAX_ATTEMPTS = 10;
  /** The first retry's delay; each next doubles, up to an hour. */
  @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000) OUTBOX_RETRY_BASE_MS = 5000;
  /** How often each replica's outbox worker looks for due messages (a message enqueued here wakes it at once). */
  @Transform(toInt) @IsInt() @Min(20) @Max(60_000) OUTBOX_POLL_MS = 1000;
  /** Weekly alarm digests go out on this ISO weekday (1 = Monday … 7 = Sunday) after the week (Monday 00:00 UTC) ended… */
  @Transform(toInt) @IsInt() @Min(1) @Max(7) ALARM_DIGEST_WEEKDAY = 1;
  /** …at this hour, UTC (the weeks are the access summary's UTC weeks). */
  @Transform(toInt) @IsInt() @Min(0) @Max(23) ALARM_DIGEST_HOUR = 6;
  /** How often each replica checks whether a digest is due (0 = never: digests only by sendAlarmDigest). */
  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000) ALARM_DIGEST_CHECK_MS = 60_000;
  /** A webhook call (shared/webhook) that has not answered after this long is a failed attempt. */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000) WEBHOOK_TIMEOUT_MS = 10_000;
  /**
   * Webhooks go to public addresses only (SSRF); these CIDRs (comma-separated, e.g.
   * `10.20.0.0/16,127.0.0.1/32`) are let through too, for receivers inside the plant.
   */
  @Matches(/^\s*$|^[0-9a-fA-F:.]+\/\d{1,3}(\s*,\s*[0-9a-fA-F:.]+\/\d{1,3})*\s*$/) WEBHOOK_ALLOWED_NETWORKS = '';

  @IsString() @MinLength(16) JWT_SECRET = DEVELOPMENT_JWT_SECRET;
  @Transform(toInt) @IsInt() @Min(30) @Max(86400) JWT_ACCESS_TTL_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(1) @Max(365) REFRESH_TOKEN_TTL_DAYS = 30;
  /** A rotated refresh token presented again this soon, its successor unused, is a lost answer rather than theft. */
  @Transform(toInt) @IsInt() @Min(0) @Max(600) REFRESH_TOKEN_REUSE_GRACE_SECONDS = 60;

  @IsEmail() ADMIN_EMAIL = 'admin@plantgraph.local';
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8) ADMIN_PASSWORD?: string = undefined;

  @Transform(toInt) @IsInt() @Min(1) LOGIN_MAX_FAILURES_PER_EMAIL = 5;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_MAX_FAILURES_PER_CLIENT = 20;
  @Transform(toInt) @IsInt() @Min(1) LOGIN_THROTTLE_WINDOW_SECONDS = 900;

  /** Tokens of one GraphQL document: parsing stops there, before the costlier validation. */
  @Transform(toInt) @IsInt() @Min(100) GRAPHQL_MAX_TOKENS = 1000;
  @Transform(toInt) @IsInt() @Min(2) @Max(50) GRAPHQL_MAX_DEPTH = 12;
  /** Aliases in one operation (fragments included): each can repeat a costly field. */
  @Transform(toInt) @IsInt() @Min(0) GRAPHQL_MAX_ALIASES = 30;
  /** 1 per field, pages × their limit, history × series × points (see the schema's descriptions). */
  @Transform(toInt) @IsInt() @Min(10) GRAPHQL_MAX_COMPLEXITY = 5000;
  /**
   * Queries and mutations of one client (a user, or an address when anonymous) running at once;
   * together they cost at most GRAPHQL_MAX_COMPLEXITY (one at the limit runs alone). The next ones wait.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) GRAPHQL_MAX_CONCURRENT_PER_CLIENT = 4;
  /** Who may introspect the schema; default `authenticated` in production, `on` otherwise. */
  @Transform(emptyToUndefined) @IsOptional() @IsIn(INTROSPECTION_MODES) GRAPHQL_INTROSPECTION?: IntrospectionMode =
    undefined;

  /** RFID access privacy: uses and interventions older than this are anonymised (daily purge). */
  @Transform(toInt) @IsInt() @Min(1) @Max(36500) ACCESS_RETENTION_DAYS = 365;
  /** Attempts of unknown RFID cards older than this are deleted (daily purge). */
  @Transform(toInt) @IsInt() @Min(1) @Max(36500) ACCESS_UNKNOWN_CARD_RETENTION_DAYS = 30;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** Human-readable logs; default on in development, JSON lines otherwise. */
  @Transform(toBool) @IsOptional() @IsBoolean() LOG_PRETTY?: boolean = undefined;

  /** The built-in device simulator; default on when both PostgreSQL and the broker are embedded. */
  @Transform(toBool) @IsOptional() @IsBoolean() SIMULATOR?: boolean = undefined;
  /** Leak-detection sites the simulator feeds (templates with gas sensors and planted leaks), 0 to 3. */
  @Transform(toInt) @IsInt() @Min(0) @Max(3) SIMULATOR_LEAK_SITES = 2;
  /**
   * Milliseconds between two simulated gas-sensor readings (real sensors: 600000, every 10
   * minutes); compressed so that the planted leak reaches CRITICAL within minutes of a start.
   */
  @Transform(toInt) @IsInt() @Min(10) @Max(600_000) SIMULATOR_LEAK_INTERVAL_MS = 1_000;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get graphqlIntrospection(): IntrospectionMode {
    return this.GRAPHQL_INTROSPECTION ?? (this.isProduction ? 'authenticated' : 'on');
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
  const pvRoot = `${config.PLANT_MQTT_ROOT}/pv`;
  if (config.PV_SET_PREFIX === pvRoot || config.PV_SET_PREFIX.startsWith(`${pvRoot}/`))
    problems.push(`PV_SET_PREFIX: must not lie under ${pvRoot}, where PV values come in`);
  if (!isTimeZone(config.ARCHIVER_TIMEZONE))
    problems.push(`ARCHIVER_TIMEZONE=${JSON.stringify(config.ARCHIVER_TIMEZONE)}: not an IANA time zone`);
  if (config.isProduction) {
    if (!env.JWT_SECRET || config.JWT_SECRET === DEVELOPMENT_JWT_SECRET)
      problems.push('JWT_SECRET: must be set to a secret of your own when NODE_ENV=production');
    if (config.ADMIN_PASSWORD && WELL_KNOWN_ADMIN_PASSWORDS.includes(config.ADMIN_PASSWORD.toLowerCase()))
      problems.push('ADMIN_PASSWORD: a well-known default password is refused when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
