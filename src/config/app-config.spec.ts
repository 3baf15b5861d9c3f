import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const sut = loadConfig({});
    expect(sut.PORT).toBe(3000);
    expect(sut.DATABASE_URL).toBeUndefined();
    expect(sut.MQTT_CLIENT_ID).toBe('plantgraph');
    expect(sut.ACCESS_MQTT_ROOT).toBe('machine');
    expect(sut.ACCESS_STATS_ENABLED).toBe(false);
  });

  it('applies the telemetry defaults of PROTOCOLS.md and the product', () => {
    const sut = loadConfig({});
    expect(sut.PLANT_MQTT_ROOT).toBe('plant');
    expect(sut.TELEMETRY_PARTITION_DAYS_AHEAD).toBe(7);
    expect(sut.TELEMETRY_RETENTION_DAYS).toBe(30);
    expect(sut.MACHINE_STATE_GAP_SECONDS).toBe(300);
    expect(sut.MACHINE_STATE_CATCH_UP_HOURS).toBe(24);
    expect(sut.PRODUCTION_SPIKE_MARGIN_AMPS).toBe(50);
    expect(sut.PRODUCTION_SPIKE_MARGIN_VOLTS).toBe(20);
  });

  it('takes telemetry settings, retention 0 meaning keep forever', () => {
    const sut = loadConfig({
      PLANT_MQTT_ROOT: 'site-a/hall_2',
      TELEMETRY_PARTITION_DAYS_AHEAD: '14',
      TELEMETRY_RETENTION_DAYS: '0',
      MACHINE_STATE_GAP_SECONDS: '60',
      MACHINE_STATE_CATCH_UP_HOURS: '72',
      PRODUCTION_SPIKE_MARGIN_AMPS: '0',
      PRODUCTION_SPIKE_MARGIN_VOLTS: '5',
    });
    expect(sut).toMatchObject({
      PLANT_MQTT_ROOT: 'site-a/hall_2',
      TELEMETRY_PARTITION_DAYS_AHEAD: 14,
      TELEMETRY_RETENTION_DAYS: 0,
      MACHINE_STATE_GAP_SECONDS: 60,
      MACHINE_STATE_CATCH_UP_HOURS: 72,
      PRODUCTION_SPIKE_MARGIN_AMPS: 0,
      PRODUCTION_SPIKE_MARGIN_VOLTS: 5,
    });
  });

  it.each([
    ['PLANT_MQTT_ROOT', 'plant/#'],
    ['PLANT_MQTT_ROOT', 'plant/'],
    ['PLANT_MQTT_ROOT', ''],
    ['TELEMETRY_PARTITION_DAYS_AHEAD', '0'],
    ['TELEMETRY_RETENTION_DAYS', '-1'],
    ['TELEMETRY_RETENTION_DAYS', 'a month'],
    ['MACHINE_STATE_GAP_SECONDS', '0'],
    ['MACHINE_STATE_CATCH_UP_HOURS', '1.5'],
    ['PRODUCTION_SPIKE_MARGIN_AMPS', '-5'],
    ['PRODUCTION_SPIKE_MARGIN_VOLTS', 'twenty'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^  - ${name}=`, 'm'));
  });

  it('converts numbers and booleans', () => {
    const sut = loadConfig({ PORT: '8080', LOG_PRETTY: 'false', SIMULATOR: 'on' });
    expect(sut.PORT).toBe(8080);
    expect(sut.LOG_PRETTY).toBe(false);
    expect(sut.SIMULATOR).toBe(true);
  });

  it('names every invalid variable', () => {
    expect.assertions(3);
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'staging', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      const message = (e as ConfigError).message;
      expect(message).toContain('PORT=');
      expect(message).toContain('NODE_ENV=');
      expect(message).toContain('DATABASE_URL=');
    }
  });

  it('refuses production without a JWT secret of its own', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('refuses a well-known admin password in production', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'a-real-secret-of-32-characters!!',
        ADMIN_PASSWORD: 'changeme',
      }),
    ).toThrow(/ADMIN_PASSWORD/);
  });

  it('accepts a proper production configuration', () => {
    const sut = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-of-32-characters!!' });
    expect(sut.isProduction).toBe(true);
  });

  it('applies the GraphQL operation limits, introspection on outside production', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      GRAPHQL_MAX_TOKENS: 1000,
      GRAPHQL_MAX_DEPTH: 12,
      GRAPHQL_MAX_ALIASES: 30,
      GRAPHQL_MAX_COMPLEXITY: 5000,
      GRAPHQL_MAX_CONCURRENT_PER_CLIENT: 4,
    });
    expect(sut.graphqlIntrospection).toBe('on');
    expect(loadConfig({ NODE_ENV: 'test' }).graphqlIntrospection).toBe('on');
  });

  it('lets only authenticated callers introspect in production unless told otherwise', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-of-32-characters!!' };
    expect(loadConfig(production).graphqlIntrospection).toBe('authenticated');
    expect(loadConfig({ ...production, GRAPHQL_INTROSPECTION: 'off' }).graphqlIntrospection).toBe('off');
    expect(loadConfig({ ...production, GRAPHQL_INTROSPECTION: 'on' }).graphqlIntrospection).toBe('on');
  });

  it.each([
    ['GRAPHQL_INTROSPECTION', 'anonymous'],
    ['GRAPHQL_MAX_TOKENS', '50'],
    ['GRAPHQL_MAX_ALIASES', '-1'],
    ['GRAPHQL_MAX_CONCURRENT_PER_CLIENT', '0'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^  - ${name}=`, 'm'));
  });
});
