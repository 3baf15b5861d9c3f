import { ACCESS_ORM_ENTITIES } from './access/infrastructure/access.orm-entities.js';
import { IDENTITY_ORM_ENTITIES } from './identity/infrastructure/identity.orm-entities.js';
import { MACHINES_ORM_ENTITIES } from './machines/infrastructure/machine.orm-entities.js';
import { TELEMETRY_ORM_ENTITIES } from './telemetry/infrastructure/telemetry.orm-entities.js';

/** Every TypeORM entity of every context: the service, the migration CLI and the schema test use this list. */
export const ORM_ENTITIES = [
  ...IDENTITY_ORM_ENTITIES,
  ...MACHINES_ORM_ENTITIES,
  ...TELEMETRY_ORM_ENTITIES,
  ...ACCESS_ORM_ENTITIES,
];
