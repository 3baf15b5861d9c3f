import type { TypedDocumentString } from '../gql/graphql';
import { LoginMutation, LogoutMutation, MeQuery, RefreshMutation } from './operations';
import { Store } from './store';

export interface User {
  id: string;
  email: string;
  displayName: string;
  permissions: readonly string[];
}

/** A GraphQL error answer, with its `extensions.code` (UNAUTHENTICATED, FORBIDDEN…). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** The service could not be reached (stopped, network down): the caller may retry later. */
export class OfflineError extends Error {}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

const REFRESH_KEY = 'plantgraph:refresh-token';
/** Refresh this long before the access token expires, so that no request goes out with a stale one. */
const REFRESH_AHEAD_MS = 60_000;
/** A refresh that failed for another reason than a refused token (offline, a stopping service) is tried again after this. */
const RETRY_MS = 5_000;

/**
 * The signed-in user and their tokens. The access token lives in memory only; the refresh
 * token is kept in sessionStorage, so that reloading the tab keeps the session while closing
 * it ends it. Refreshes are single-flight: the server rotates refresh tokens and treats a reused
 * one as theft, so two refreshes at once would log the user out everywhere.
 */
export class Session {
  readonly user = new Store<User | null>(null);
  private accessToken: string | null = null;
  private refreshing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly endpoint: string) {}

  /**
   * On load: a refresh token left by this tab becomes a session again. A refused token ends it;
   * any other failure is thrown with the token kept, so that signing in is not the only way on.
   */
  async resume(): Promise<void> {
    if (!sessionStorage.getItem(REFRESH_KEY)) return;
    try {
      await this.refresh();
      await this.loadUser();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.forget();
      else throw error;
    }
  }

  async login(email: string, password: string): Promise<void> {
    const { login } = await this.send(LoginMutation, { input: { email, password } }, null);
    this.accept(login);
    await this.loadUser();
  }

  async logout(): Promise<void> {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    try {
      if (refreshToken) await this.send(LogoutMutation, { refreshToken }, this.accessToken);
    } finally {
      this.forget();
    }
  }

  /** The current access token, refreshed first when it is about to expire or was refused. */
  async token(forceRefresh = false): Promise<string> {
    if (forceRefresh || !this.accessToken) await this.refresh();
    if (!this.accessToken) throw new ApiError('Not signed in', 'UNAUTHENTICATED');
    return this.accessToken;
  }

  /** A query or mutation over HTTP; a refused access token is refreshed once and the request sent again. */
  async request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
    try {
      return await this.send(document, variables, await this.token());
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
      return this.send(document, variables, await this.token(true));
    }
  }

  /** Ends the session locally (the server refused the refresh token, or the user logged out). */
  forget(): void {
    clearTimeout(this.timer);
    this.accessToken = null;
    sessionStorage.removeItem(REFRESH_KEY);
    this.user.set(null);
  }

  private async loadUser(): Promise<void> {
    const { me } = await this.request(MeQuery, {});
    this.user.set(me);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const token = sessionStorage.getItem(REFRESH_KEY);
      if (!token) throw new ApiError('Not signed in', 'UNAUTHENTICATED');
      try {
        const { refreshToken } = await this.send(RefreshMutation, { token }, null);
        this.accept(refreshToken);
      } catch (error) {
        // Only a refused refresh token ends the session; any other failure is tried again.
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.forget();
        throw error;
      }
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private accept(tokens: { accessToken: string; refreshToken: string; expiresAt: string }): void {
    this.accessToken = tokens.accessToken;
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    this.schedule(Math.max(5_000, Date.parse(tokens.expiresAt) - Date.now() - REFRESH_AHEAD_MS));
  }

  /** The next refresh; while it fails for any reason but a refused token, tried again every few seconds. */
  private schedule(dueMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () =>
        void this.refresh().catch(
          (error) => (error instanceof ApiError && error.code === 'UNAUTHENTICATED') || this.schedule(RETRY_MS),
        ),
      dueMs,
    );
  }

  private async send<R, V>(document: TypedDocumentString<R, V>, variables: V, token: string | null): Promise<R> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch {
      throw new OfflineError('The service cannot be reached');
    }
    if (response.status === 502 || response.status === 503 || response.status === 504)
      throw new OfflineError(`The service is unavailable (${response.status})`);
    const answer = (await response.json()) as GraphQLAnswer<R>;
    const error = answer.errors?.[0];
    if (error) throw new ApiError(error.message, error.extensions?.code);
    if (!answer.data) throw new ApiError('Empty answer', undefined);
    return answer.data;
  }
}
