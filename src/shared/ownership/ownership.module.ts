import { Global, Module } from '@nestjs/common';
import { KeyOwnership } from './key-ownership.service.js';
import { OwnershipRepository } from './ownership.repository.js';

/** Which replica derives which sources: leases in PostgreSQL (key-ownership.service.ts). */
@Global()
@Module({ providers: [KeyOwnership, OwnershipRepository], exports: [KeyOwnership] })
export class OwnershipModule {}
