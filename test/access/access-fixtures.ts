import { expect } from '@jest/globals';
import type { TestApp } from '../harness/app.js';
import { newCard } from './test-board.js';

const CREATE_TYPE = 'mutation($i: CreateMachineTypeInput!) { createMachineType(input: $i) { id } }';
const CREATE_MACHINE = 'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }';
const UPDATE_MACHINE = 'mutation($c: String!, $i: UpdateMachineInput!) { updateMachine(code: $c, input: $i) { id } }';
const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';
const UPDATE_USER = 'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }';
const CREATE_ROLE = 'mutation($i: CreateRoleInput!) { createRole(input: $i) { id name } }';

export interface Holder {
  id: string;
  card: string;
  name: string;
}

/**
 * Test data through the API as the admin (machines, types, users, roles); authorisations and
 * maintenance plans in SQL, as long as their mutations are not there.
 */
export class AccessFixtures {
  private serial = 0;

  constructor(
    private readonly t: TestApp,
    private readonly admin: string,
  ) {}

  async ok(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
    const result = await this.t.graphql(query, variables, this.admin);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async machineType(fields: {
    autoLogoffMinutes: number;
    graceMinutes: number;
    needsAuthorization: boolean;
  }): Promise<number> {
    const name = `type-${process.pid}-${Date.now()}-${this.serial++}`;
    return Number((await this.ok(CREATE_TYPE, { i: { name, ...fields } })).createMachineType.id);
  }

  async machine(
    code: string,
    fields: { name?: string; machineTypeId?: number; blocked?: boolean } = {},
  ): Promise<number> {
    const input = { code, name: fields.name ?? `Machine ${code}`, ...fields };
    return Number((await this.ok(CREATE_MACHINE, { i: input })).createMachine.id);
  }

  async setBlocked(code: string, blocked: boolean): Promise<void> {
    await this.ok(UPDATE_MACHINE, { c: code, i: { blocked } });
  }

  async role(fields: { authorizeAll: boolean; canMaintain: boolean }): Promise<string> {
    const name = `r${process.pid}-${this.serial++}-${Date.now() % 100000}`;
    return (await this.ok(CREATE_ROLE, { i: { name, ...fields } })).createRole.name;
  }

  /** A card holder; a card the board sends lowercase may have been typed uppercase. */
  async holder(roles: string[], options: { name?: string; disabled?: boolean; card?: string } = {}): Promise<Holder> {
    const card = options.card ?? newCard();
    const name = options.name ?? `Holder ${this.serial++}`;
    const input = {
      email: `holder-${card}-${this.serial++}@example.test`,
      displayName: name,
      cardUid: card.toUpperCase(),
      roles,
      disabled: options.disabled ?? false,
    };
    const id = (await this.ok(CREATE_USER, { i: input })).createUser.id as string;
    return { id, card: card.toLowerCase(), name };
  }

  async disable(holder: Holder): Promise<void> {
    await this.ok(UPDATE_USER, { id: holder.id, i: { disabled: true } });
  }

  async authorize(holder: Holder, machineId: number): Promise<void> {
    await this.t.db.query('INSERT INTO access_authorizations (user_id, machine_id) VALUES ($1, $2)', [
      holder.id,
      machineId,
    ]);
  }

  async plan(machineId: number, hoursBetween: number, lcdMessage: string): Promise<number> {
    const [row] = await this.t.db.query<{ id: number }>(
      `INSERT INTO access_maintenance_plans (machine_id, description, lcd_message, hours_between)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [machineId, `Plan ${lcdMessage}`, lcdMessage, hoursBetween],
    );
    return row.id;
  }

  /** A closed use of `seconds`, ended a minute ago, by nobody in particular. */
  async closedUse(machineId: number, seconds: number): Promise<void> {
    await this.t.db.query(
      `INSERT INTO access_uses (machine_id, started_at, last_seen_at, ended_at, counted_seconds, origin, close_reason)
       VALUES ($1, now() - make_interval(secs => $2 + 60), now() - interval '60 seconds', now() - interval '60 seconds', $2, 'api', 'api')`,
      [machineId, seconds],
    );
  }
}
