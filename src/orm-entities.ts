import { ACCESS_ORM_ENTITIES } from './access/infrastructure/access.orm-entities.js';
import { LEAK_DETECTION_ORM_ENTITIES } from './leak-detection/infrastructure/leak-detection.orm-entities.js';
import { LEAK_SIMULATION_ORM_ENTITIES } from './leak-detection/infrastructure/leak-simulation.orm-entities.js';
import { IDENTITY_ORM_ENTITIES } from './identity/infrastructure/identity.orm-entities.js';
import { MACHINES_ORM_ENTITIES } from './machines/infrastructure/machine.orm-entities.js';
import { TELEMETRY_ORM_ENTITIES } from './telemetry/infrastructure/telemetry.orm-entities.js';
import { EXPERIMENTS_ORM_ENTITIES } from './experiments/infrastructure/experiments.orm-entities.js';
import { UnregisteredSourceOrmEntity } from './shared/ingestion/unregistered-source.orm-entity.js';

/** Every TypeORM entity of every context: the service, the migration CLI and the schema test use this list. */
export const ORM_ENTITIES = [
  UnregisteredSourceOrmEntity,
  ...IDENTITY_ORM_ENTITIES,
  ...MACHINES_ORM_ENTITIES,
  ...TELEMETRY_ORM_ENTITIES,
  ...ACCESS_ORM_ENTITIES,
  ...LEAK_DETECTION_ORM_ENTITIES,
  ...LEAK_SIMULATION_ORM_ENTITIES,
  ...EXPERIMENTS_ORM_ENTITIES,
];
