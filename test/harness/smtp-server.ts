import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** An e-mail the test SMTP server took. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  messageId: string;
  body: string;
}

export interface TestSmtpServer {
  port: number;
  /** Every e-mail taken, in arrival order. */
  received: ReceivedMail[];
  /** Subjects refused (451, "try again later") while they are in here. */
  refused: Set<string>;
  /** How many deliveries were refused so far. */
  refusals(): number;
  /** The environment that points the service at this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'smtp-secret';

function header(raw: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw);
  return match ? match[1].replace(/\r?\n[ \t]/g, ' ').trim() : '';
}

/**
 * A real SMTP server (npm smtp-server) on a free local port, with authentication
 * (SMTP_USER / SMTP_PASSWORD) and no TLS, keeping what it takes in memory.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refused = new Set<string>();
  let refusals = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = header(raw, 'Subject');
        if (refused.has(subject)) {
          refusals++;
          const error = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
          return callback(error);
        }
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          messageId: header(raw, 'Message-ID'),
          body: raw
            .split(/\r?\n\r?\n/)
            .slice(1)
            .join('\n\n')
            .trim(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    refused,
    refusals: () => refusals,
    env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER, SMTP_PASSWORD },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
