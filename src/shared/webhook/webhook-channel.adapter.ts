import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { OutboxChannel, OutboxMessage } from '../outbox/outbox-message.js';
import {
  ATTEMPT_HEADER,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signatureHeader,
  type WebhookMessage,
} from './webhook-message.js';
import { WebhookNetworkPolicy, ipLiteralOf } from './webhook-network.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

export const WEBHOOK_CHANNEL = 'webhook';

/** Enough of a refusal's body to say why, however much the receiver answers. */
const ERROR_BODY_CHARS = 300;

/**
 * The outbox's webhook channel: one HTTP POST of the message's JSON body per attempt, with
 * `Idempotency-Key` (the same on every attempt), `X-Plantgraph-Timestamp`, the HMAC signature
 * (webhook-message.ts) and `X-Plantgraph-Attempt`. Delivered means a 2xx answer within
 * WEBHOOK_TIMEOUT_MS. Anything else throws and the outbox retries with its backoff until
 * OUTBOX_MAX_ATTEMPTS, 4xx included: a 401/404 usually is a receiver being redeployed or a
 * secret being rotated, which someone fixes within the retries, and a message given up on is
 * FAILED with the answer as its last error and re-sendable. Redirects are not followed (a
 * redirect could lead anywhere the address check refuses). The address every name resolves
 * to is checked on each connection (WebhookNetworkPolicy), so a name cannot be re-pointed
 * at the service's own network between configuration and send.
 */
@Injectable()
export class WebhookChannel implements OutboxChannel<WebhookMessage> {
  readonly name = WEBHOOK_CHANNEL;
  readonly policy: WebhookNetworkPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly secrets: WebhookSecretsRepository,
  ) {
    this.policy = new WebhookNetworkPolicy(config.WEBHOOK_ALLOWED_NETWORKS);
  }

  async send(message: OutboxMessage<WebhookMessage>): Promise<void> {
    const { url: target, body, secretRef } = message.payload;
    const url = new URL(target);
    const literal = ipLiteralOf(url);
    if (literal) this.policy.check(literal);
    const secret = secretRef ? await this.secrets.get(secretRef) : null;
    // Never unsigned when it was meant to be signed: the channel was deleted, or its secret removed.
    if (secretRef && !secret) throw new Error('The webhook has no signing secret any more (its channel was removed?)');
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Plantgraph-Webhook/1',
      [IDEMPOTENCY_HEADER]: message.idempotencyKey,
      [TIMESTAMP_HEADER]: String(timestamp),
      [ATTEMPT_HEADER]: String(message.attempts + 1),
    };
    if (secret) headers[SIGNATURE_HEADER] = signatureHeader(secret, timestamp, body);
    const response = await this.post(url, headers, body);
    if (response.status < 200 || response.status > 299) {
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      throw new Error(`The receiver answered HTTP ${response.status}${redirect}: ${response.text}`);
    }
  }

  private post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    const options: RequestOptions = {
      method: 'POST',
      headers,
      lookup: this.checkedLookup,
      signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
      // One connection per call: a pooled socket would skip the address check of a re-resolved name.
      agent: false,
    };
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < ERROR_BODY_CHARS) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, ERROR_BODY_CHARS).trim() }));
        res.on('error', reject);
      });
      request.on('error', (error: Error) =>
        reject(
          error.name === 'AbortError' ? new Error(`No answer within ${this.config.WEBHOOK_TIMEOUT_MS} ms`) : error,
        ),
      );
      request.end(body);
    });
  }

  /** dns.lookup, refusing every answer that includes an address the policy refuses. */
  private readonly checkedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, options as LookupOptions, (error, address: string | LookupAddress[], family?: number) => {
      if (error) return callback(error, '', 0);
      try {
        for (const one of Array.isArray(address) ? address : [{ address, family: family ?? 0 }])
          this.policy.check(one.address);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      (callback as (e: null, a: string | LookupAddress[], f?: number) => void)(null, address, family);
    });
  };
}
