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
});
