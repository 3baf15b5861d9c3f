import { IDENTITY_ORM_ENTITIES } from './identity/infrastructure/identity.orm-entities.js';

/** Every TypeORM entity of every context: the service, the migration CLI and the schema test use this list. */
export const ORM_ENTITIES = [...IDENTITY_ORM_ENTITIES];
