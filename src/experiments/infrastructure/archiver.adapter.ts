import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PvArchive } from '../application/experiments.ports.js';
import { ArchiverUnavailableError } from '../application/pv-archive.service.js';
import { readArchiveAnswer, type ArchiveAnswer } from '../domain/archived-samples.js';
import { formatInZone } from '../domain/zoned-time.js';

/**
 * The EPICS Archiver Appliance over HTTP: `GET {ARCHIVER_URL}/retrieval/data/getData.json?pv=…
 * &from=…&to=…`, times written as ISO-8601 wall-clock time of ARCHIVER_TIMEZONE with its
 * offset (as the original sent them), one request per PV, bounded by ARCHIVER_TIMEOUT_MS.
 * HTTP 404 or an empty array: the archiver does not know the PV.
 */
@Injectable()
export class HttpPvArchive extends PvArchive {
  readonly configured: boolean;

  constructor(private readonly config: AppConfig) {
    super();
    this.configured = Boolean(config.ARCHIVER_URL);
  }

  async history(pvName: string, from: Date, to: Date): Promise<ArchiveAnswer> {
    const zone = this.config.ARCHIVER_TIMEZONE;
    const query = new URLSearchParams({ pv: pvName, from: formatInZone(from, zone), to: formatInZone(to, zone) });
    const url = `${this.config.ARCHIVER_URL!.replace(/\/+$/, '')}/retrieval/data/getData.json?${query}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.config.ARCHIVER_TIMEOUT_MS) });
    } catch (error) {
      throw unavailable(error);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { unknown: true };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ArchiverUnavailableError(`The archiver answered HTTP ${response.status}`, 'ARCHIVER_UNAVAILABLE');
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw unavailable(error);
      throw new ArchiverUnavailableError('The archiver answered something that is not JSON', 'ARCHIVER_BAD_ANSWER');
    }
    try {
      return readArchiveAnswer(json);
    } catch (error) {
      throw new ArchiverUnavailableError(
        `Unexpected archiver answer: ${(error as Error).message}`,
        'ARCHIVER_BAD_ANSWER',
      );
    }
  }
}

function unavailable(error: unknown): ArchiverUnavailableError {
  return (error as Error).name === 'TimeoutError'
    ? new ArchiverUnavailableError('The archiver did not answer in time', 'ARCHIVER_TIMEOUT')
    : new ArchiverUnavailableError('The archiver cannot be reached', 'ARCHIVER_UNAVAILABLE');
}
