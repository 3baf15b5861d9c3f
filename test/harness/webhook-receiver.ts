import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/shared/webhook/webhook-message.js';

/** One call the receiver took, whatever it answered. */
export interface WebhookCall {
  idempotencyKey: string;
  signature: string | undefined;
  timestamp: string | undefined;
  attempt: string | undefined;
  contentType: string | undefined;
  body: string;
  /** What the receiver answered. */
  status: number;
}

export interface TestWebhookReceiver {
  /** http://127.0.0.1:{port}/hooks/plantgraph */
  readonly url: string;
  /** Every call, in arrival order. */
  readonly calls: WebhookCall[];
  /** The answer to the next call (default 200); called once per call. */
  answer: (call: Omit<WebhookCall, 'status'>) => number;
  /** Calls answered 2xx with this key: what a receiver that honours Idempotency-Key acted on. */
  delivered(idempotencyKey: string): WebhookCall[];
  /** Whether a call's signature is valid for `secret` (webhook-message.ts, as the README tells receivers). */
  signedWith(call: WebhookCall, secret: string): boolean;
  /** Stops listening (connections are refused) until start(): a receiver that is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** A webhook receiver on a free local port (plain node:http), keeping every call in memory. */
export async function startWebhookReceiver(): Promise<TestWebhookReceiver> {
  const calls: WebhookCall[] = [];
  let server: Server | null = null;
  let port = 0;
  const receiver: TestWebhookReceiver = {
    get url() {
      return `http://127.0.0.1:${port}/hooks/plantgraph`;
    },
    calls,
    answer: () => 200,
    delivered: (key) => calls.filter((c) => c.idempotencyKey === key && c.status >= 200 && c.status < 300),
    signedWith: (call, secret) => verifySignature(call.signature, call.body, secret),
    start: async () => {
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const call = {
            idempotencyKey: header(req, 'Idempotency-Key') ?? '',
            signature: header(req, 'X-Plantgraph-Signature'),
            timestamp: header(req, 'X-Plantgraph-Timestamp'),
            attempt: header(req, 'X-Plantgraph-Attempt'),
            contentType: header(req, 'content-type'),
            body: Buffer.concat(chunks).toString('utf8'),
          };
          const status = req.method === 'POST' && req.url === '/hooks/plantgraph' ? receiver.answer(call) : 404;
          calls.push({ ...call, status });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver refused');
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    },
    stop: async () => {
      const running = server;
      server = null;
      if (running) {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
      }
    },
    close: () => receiver.stop(),
  };
  await receiver.start();
  return receiver;
}
