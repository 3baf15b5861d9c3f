import type { Experiment, ExperimentFields, Pv, PvFields } from '../domain/experiments.js';

/** A user's threshold subscription as the configuration holds it. */
export interface StoredSubscription {
  id: number;
  userId: string;
  pvId: number;
  email: string;
  min: number;
  max: number;
}

/**
 * What export and import read and write: experiments, PVs, assignments, threshold
 * subscriptions. Every call joins the running transaction (an import is one, all or nothing).
 */
export abstract class ConfigTransferRepository {
  /** Serialises imports (a transaction-scoped advisory lock): two at once would both create an experiment. */
  abstract lockForImport(): Promise<void>;
  abstract experiments(): Promise<Experiment[]>;
  abstract pvs(): Promise<Pv[]>;
  abstract assignments(): Promise<Array<{ experimentId: number; userId: string }>>;
  abstract subscriptions(): Promise<StoredSubscription[]>;
  abstract createExperiment(name: string, fields: ExperimentFields): Promise<number>;
  abstract updateExperiment(id: number, fields: ExperimentFields): Promise<void>;
  abstract createPv(experimentId: number, name: string, fields: PvFields): Promise<number>;
  abstract updatePv(id: number, fields: PvFields): Promise<void>;
  abstract assign(experimentId: number, userId: string): Promise<void>;
  abstract createSubscription(s: Omit<StoredSubscription, 'id'>): Promise<void>;
  abstract updateSubscription(id: number, s: Pick<StoredSubscription, 'email' | 'min' | 'max'>): Promise<void>;
}
