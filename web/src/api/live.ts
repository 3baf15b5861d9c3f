import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef } from 'preact/hooks';
import type { TypedDocumentString } from '../gql/graphql';
import type { Session } from './session';
import { Store } from './store';

export type LinkState = 'connecting' | 'live' | 'offline';

/** Backoff between reconnection attempts: 0.5 s doubling to 5 s, with jitter so pages do not return in step. */
export function backoffMs(attempt: number): number {
  const base = Math.min(5_000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** How long a ping may wait for its pong before the socket is taken for dead (a silent network drop). */
const PONG_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_MS = 10_000;
/** Close codes after which reconnecting cannot help: the user was disabled, deleted or logged out everywhere. */
const FORBIDDEN = 4403;
const UNAUTHORIZED = 4401;

/**
 * The page's one graphql-ws socket. Every view subscribes through it; graphql-ws resubscribes
 * the running subscriptions after a reconnection. `state` tells the views whether what they
 * show is live; `reconnected` counts the reconnections, so that a view refills from history
 * what it missed meanwhile.
 */
export class LiveLink {
  readonly state = new Store<LinkState>('connecting');
  readonly reconnected = new Store(0);
  readonly client: Client;
  private everConnected = false;
  private refuseToken = false;

  constructor(url: string, session: Session) {
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    let socket: WebSocket | undefined;
    this.client = createClient({
      url,
      lazy: true,
      lazyCloseTimeout: 1_000,
      keepAlive: KEEP_ALIVE_MS,
      // A socket that opens but is never acknowledged (a half-dead network) is retried, not waited on forever.
      connectionAckWaitTimeout: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !(event instanceof CloseEvent && event.code === FORBIDDEN),
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffMs(retries))),
      connectionParams: async () => {
        const force = this.refuseToken;
        this.refuseToken = false;
        return { authorization: `Bearer ${await session.token(force)}` };
      },
      on: {
        connecting: () => this.state.value === 'live' || this.state.set('connecting'),
        opened: (opened) => (socket = opened as WebSocket),
        connected: () => {
          this.state.set('live');
          if (this.everConnected) this.reconnected.set(this.reconnected.value + 1);
          this.everConnected = true;
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          socket = undefined;
          if (event instanceof CloseEvent && event.code === UNAUTHORIZED) this.refuseToken = true;
          if (event instanceof CloseEvent && event.code === FORBIDDEN) session.forget();
          this.state.set('offline');
        },
        ping: (received) => {
          if (received) return;
          pongTimer = setTimeout(() => socket?.close(4408, 'Pong timeout'), PONG_TIMEOUT_MS);
        },
        pong: (received) => received && clearTimeout(pongTimer),
      },
    });
  }

  /** Follows one subscription until the returned function is called. */
  subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, next: (data: R) => void): () => void {
    return this.client.subscribe<R>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (result) => result.data && next(result.data),
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }

  dispose(): void {
    void this.client.dispose();
  }
}

/** Subscribes while the component is mounted (and `enabled`), resubscribing when `key` changes. */
export function useSubscription<R, V>(
  link: LiveLink,
  document: TypedDocumentString<R, V>,
  variables: V,
  next: (data: R) => void,
  key: string,
  enabled = true,
): void {
  const handler = useRef(next);
  handler.current = next;
  useEffect(() => {
    if (!enabled) return;
    return link.subscribe(document, variables, (data) => handler.current(data));
    // `key` stands for the variables, which callers rebuild on every render.
  }, [link, document, key, enabled]);
}
