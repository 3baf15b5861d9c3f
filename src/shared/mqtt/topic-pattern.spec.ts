import { describe, expect, it } from '@jest/globals';
import { compileTopicPattern, InvalidTopicPatternError, subscriptionFilter, TopicRouter } from './topic-pattern.js';

function routerOf(...patterns: string[]): TopicRouter<string> {
  const sut = new TopicRouter<string>();
  for (const pattern of patterns) sut.add(compileTopicPattern(pattern), pattern);
  return sut;
}

describe('compileTopicPattern', () => {
  it('turns named wildcards into the MQTT filter to subscribe to', () => {
    expect(compileTopicPattern('plant/machines/+code/electrical').filter).toBe('plant/machines/+/electrical');
    expect(compileTopicPattern('plant/pv/#name').filter).toBe('plant/pv/#');
    expect(compileTopicPattern('machine/+').filter).toBe('machine/+');
  });

  it.each([
    ['', 'empty'],
    ['a/#/b', '# is only allowed as the last level'],
    ['a/b+/c', 'wildcard inside level'],
    ['a/+x/+x', 'used twice'],
    ['a/+9x', 'bad capture name'],
    ['$share/g/a/b', '$share'],
  ])('refuses %j', (pattern, reason) => {
    expect(() => compileTopicPattern(pattern)).toThrow(InvalidTopicPatternError);
    expect(() => compileTopicPattern(pattern)).toThrow(reason);
  });
});

describe('TopicRouter', () => {
  it('captures named levels into params', () => {
    const sut = routerOf('plant/machines/+code/electrical', 'plant/sensors/+sensorName/ppmv');
    expect(sut.match('plant/machines/M-12/electrical')).toEqual({
      value: 'plant/machines/+code/electrical',
      params: { code: 'M-12' },
    });
    expect(sut.match('plant/sensors/tag7/ppmv')?.params).toEqual({ sensorName: 'tag7' });
  });

  it('returns undefined for topics no route matches', () => {
    const sut = routerOf('plant/machines/+code/electrical', 'machine/+id');
    expect(sut.match('plant/machines/M-12/axes')).toBeUndefined();
    expect(sut.match('plant/machines/M-12')).toBeUndefined();
    expect(sut.match('machine/12/reply')).toBeUndefined();
    expect(sut.match('other')).toBeUndefined();
  });

  it('captures the rest of the topic with a named #', () => {
    const sut = routerOf('plant/pv/#name');
    expect(sut.match('plant/pv/LAB/ROOM1/TEMP')?.params).toEqual({ name: 'LAB/ROOM1/TEMP' });
    // As in MQTT, 'a/#' also matches 'a'.
    expect(sut.match('plant/pv')?.params).toEqual({ name: '' });
  });

  it('does not capture unnamed wildcards', () => {
    expect(routerOf('a/+/c/#').match('a/b/c/d/e')?.params).toEqual({});
  });

  it('keeps each route its own capture names on shared levels', () => {
    const sut = routerOf('machine/+id', 'machine/+code/reply');
    expect(sut.match('machine/7')).toEqual({ value: 'machine/+id', params: { id: '7' } });
    expect(sut.match('machine/7/reply')).toEqual({ value: 'machine/+code/reply', params: { code: '7' } });
  });

  it('prefers the most specific route, backtracking when a literal branch dead-ends', () => {
    const sut = routerOf('a/b/c', 'a/+x/d', 'a/#rest');
    expect(sut.match('a/b/c')?.value).toBe('a/b/c');
    expect(sut.match('a/b/d')).toEqual({ value: 'a/+x/d', params: { x: 'b' } });
    expect(sut.match('a/b/e')).toEqual({ value: 'a/#rest', params: { rest: 'b/e' } });
  });

  it('matches empty levels like MQTT does', () => {
    expect(routerOf('a/+x/c').match('a//c')?.params).toEqual({ x: '' });
  });

  it('never matches $-topics with a leading wildcard', () => {
    const sut = routerOf('#', '+/broker/version');
    expect(sut.match('$SYS/broker/version')).toBeUndefined();
    expect(routerOf('$SYS/#').match('$SYS/broker/version')).toBeDefined();
  });

  it('refuses two routes with the same filter', () => {
    expect(() => routerOf('machine/+id', 'machine/+code')).toThrow(/same filter/);
    expect(() => routerOf('pv/#a', 'pv/#b')).toThrow(/same filter/);
  });
});

describe('subscriptionFilter', () => {
  it('uses a shared subscription only when a group is configured and the route shares', () => {
    expect(subscriptionFilter('plant/+/x', 'plantgraph', true)).toBe('$share/plantgraph/plant/+/x');
    expect(subscriptionFilter('plant/+/x', 'plantgraph', false)).toBe('plant/+/x');
    expect(subscriptionFilter('plant/+/x', undefined, true)).toBe('plant/+/x');
  });
});
