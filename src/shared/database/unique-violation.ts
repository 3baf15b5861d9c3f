import { QueryFailedError } from 'typeorm';
import { ConflictError } from '../errors/domain-errors.js';

const UNIQUE_VIOLATION = '23505';

/**
 * The database guarantees uniqueness; this turns its refusal into a CONFLICT naming the field.
 * `constraints` maps constraint/index names to the field they protect.
 */
export async function translateUniqueViolation<T>(
  work: Promise<T>,
  constraints: Record<string, { field: string; message: string }>,
): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const driverError =
      e instanceof QueryFailedError ? (e.driverError as { code?: string; constraint?: string }) : undefined;
    if (driverError?.code !== UNIQUE_VIOLATION) throw e;
    const known = constraints[driverError.constraint ?? ''];
    throw new ConflictError(known?.message ?? 'Already exists', { field: known?.field });
  }
}
