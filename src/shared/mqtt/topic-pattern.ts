/**
 * Route patterns are MQTT topic filters whose wildcards may carry a name:
 * `plant/machines/+code/electrical` captures one level into `params.code`, and a trailing
 * `#rest` captures the remaining levels (joined with '/') into `params.rest`. An unnamed
 * `+` or `#` matches without capturing.
 */
export type PatternLevel =
  { kind: 'literal'; value: string } | { kind: 'single'; name?: string } | { kind: 'multi'; name?: string };

export interface TopicPattern {
  readonly pattern: string;
  /** The filter to subscribe to: the pattern with the capture names removed. */
  readonly filter: string;
  readonly levels: readonly PatternLevel[];
}

export class InvalidTopicPatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`Invalid MQTT route pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'InvalidTopicPatternError';
  }
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function compileTopicPattern(pattern: string): TopicPattern {
  if (!pattern) throw new InvalidTopicPatternError(pattern, 'empty');
  if (pattern.startsWith('$share/')) throw new InvalidTopicPatternError(pattern, 'pass { shared } instead of $share/');
  const names = new Set<string>();
  const raw = pattern.split('/');
  const levels = raw.map((level, index): PatternLevel => {
    const wildcard = level[0];
    if (wildcard !== '+' && wildcard !== '#') {
      if (level.includes('+') || level.includes('#'))
        throw new InvalidTopicPatternError(pattern, `wildcard inside level "${level}"`);
      return { kind: 'literal', value: level };
    }
    if (wildcard === '#' && index !== raw.length - 1)
      throw new InvalidTopicPatternError(pattern, '# is only allowed as the last level');
    const name = level.slice(1) || undefined;
    if (name !== undefined) {
      if (!PARAM_NAME.test(name)) throw new InvalidTopicPatternError(pattern, `bad capture name "${name}"`);
      if (names.has(name)) throw new InvalidTopicPatternError(pattern, `capture name "${name}" used twice`);
      names.add(name);
    }
    return { kind: wildcard === '+' ? 'single' : 'multi', name };
  });
  const filter = levels.map((l) => (l.kind === 'literal' ? l.value : l.kind === 'single' ? '+' : '#')).join('/');
  return { pattern, filter, levels };
}

/** `$share/<group>/<filter>` when a group is configured and the route wants load sharing. */
export function subscriptionFilter(filter: string, sharedGroup: string | undefined, shared: boolean): string {
  return shared && sharedGroup ? `$share/${sharedGroup}/${filter}` : filter;
}

export interface TopicMatch<T> {
  value: T;
  params: Record<string, string>;
}

interface Terminal<T> {
  value: T;
  /** Capture names of the route's wildcards, in order; undefined for an unnamed one. */
  names: (string | undefined)[];
}

class Node<T> {
  readonly literal = new Map<string, Node<T>>();
  single?: Node<T>;
  end?: Terminal<T>;
  multi?: Terminal<T>;
}

/**
 * Routes topics to values through a trie of levels, so a lookup costs one split and a walk
 * as deep as the topic, however many routes there are. When several patterns match, the
 * most specific wins: a literal level before `+`, `+` before `#`.
 */
export class TopicRouter<T> {
  private readonly root = new Node<T>();

  add(pattern: TopicPattern, value: T): void {
    let node = this.root;
    const names: (string | undefined)[] = [];
    for (const level of pattern.levels) {
      if (level.kind === 'multi') {
        names.push(level.name);
        if (node.multi) throw new InvalidTopicPatternError(pattern.pattern, 'another route has the same filter');
        node.multi = { value, names };
        return;
      }
      if (level.kind === 'single') {
        names.push(level.name);
        node = node.single ??= new Node<T>();
      } else {
        let next = node.literal.get(level.value);
        if (!next) node.literal.set(level.value, (next = new Node<T>()));
        node = next;
      }
    }
    if (node.end) throw new InvalidTopicPatternError(pattern.pattern, 'another route has the same filter');
    node.end = { value, names };
  }

  match(topic: string): TopicMatch<T> | undefined {
    const levels = topic.split('/');
    const captures: string[] = [];
    const terminal = this.walk(this.root, levels, 0, captures);
    if (!terminal) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < terminal.names.length; i++) {
      const name = terminal.names[i];
      if (name !== undefined) params[name] = captures[i];
    }
    return { value: terminal.value, params };
  }

  private walk(node: Node<T>, levels: string[], index: number, captures: string[]): Terminal<T> | undefined {
    if (index === levels.length) {
      if (node.end) return node.end;
      // MQTT: 'a/#' also matches 'a' itself.
      if (node.multi) captures.push('');
      return node.multi;
    }
    const level = levels[index];
    const literal = node.literal.get(level);
    if (literal) {
      const found = this.walk(literal, levels, index + 1, captures);
      if (found) return found;
    }
    // MQTT: wildcards in the first level never match topics starting with '$' ($SYS/…).
    if (index === 0 && level.startsWith('$')) return undefined;
    if (node.single) {
      captures.push(level);
      const found = this.walk(node.single, levels, index + 1, captures);
      if (found) return found;
      captures.pop();
    }
    if (node.multi) captures.push(levels.slice(index).join('/'));
    return node.multi;
  }
}
