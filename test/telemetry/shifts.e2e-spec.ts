import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../harness/app.js';

/** Operators, shifts and instructions through GraphQL, as a supervisor's tool would use them. */
const day = (hh: number, mm = 0) => new Date(Date.UTC(2026, 10, 23, hh, mm)).toISOString();

const SHIFT_FIELDS = `id machineCode operator { id name } elementTypeId startsAt endsAt durationSeconds
  plateThickness plateDescription remarks iNo fcNo project`;
const CREATE_SHIFT = `mutation($i: CreateShiftInput!) { createShift(input: $i) { ${SHIFT_FIELDS} } }`;
const CREATE_OPERATOR = 'mutation($i: CreateOperatorInput!) { createOperator(input: $i) { id name number active } }';

describe('operators, shifts and instructions (e2e)', () => {
  let t: TestApp;
  let token: string;
  let elementTypeId: number;
  let ravi: number;
  let meena: number;

  async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  }
  const errorOf = async (query: string, variables?: Record<string, unknown>) =>
    (await t.graphql(query, variables, token)).errors?.[0];

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.login();
    for (const code of ['7G', '7H'])
      await gql('mutation($i: CreateMachineInput!) { createMachine(input: $i) { id } }', { i: { code, name: code } });
    elementTypeId = (
      await gql('mutation($i: CreateElementTypeInput!) { createElementType(input: $i) { id } }', {
        i: { name: 'Fillet 8 mm', currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
      })
    ).createElementType.id;
  });
  afterAll(() => t.close());

  describe('operators', () => {
    it('are created, listed by number and updated', async () => {
      ravi = (
        await gql(CREATE_OPERATOR, {
          i: {
            name: ' Ravi Kumar ',
            number: 12,
            qualification: '6G',
            qualifiedThickness: 25,
            dateOfJoining: '2019-04-01',
          },
        })
      ).createOperator.id;
      meena = (await gql(CREATE_OPERATOR, { i: { name: 'Meena', number: 3 } })).createOperator.id;
      const { operators } = await gql(
        '{ operators { totalCount items { name number qualification qualifiedThickness dateOfJoining active } } }',
      );
      expect(operators.totalCount).toBe(2);
      expect(operators.items).toEqual([
        { name: 'Meena', number: 3, qualification: '', qualifiedThickness: null, dateOfJoining: null, active: true },
        {
          name: 'Ravi Kumar',
          number: 12,
          qualification: '6G',
          qualifiedThickness: 25,
          dateOfJoining: '2019-04-01',
          active: true,
        },
      ]);
      const { updateOperator } = await gql(
        'mutation($id: Int!) { updateOperator(id: $id, input: { qualification: "6GR" }) { name qualification } }',
        { id: ravi },
      );
      expect(updateOperator).toEqual({ name: 'Ravi Kumar', qualification: '6GR' });
    });

    it('refuses a number that is taken with CONFLICT, and a bad field with BAD_USER_INPUT naming it', async () => {
      expect((await errorOf(CREATE_OPERATOR, { i: { name: 'Other', number: 12 } }))?.extensions).toMatchObject({
        code: 'CONFLICT',
        field: 'number',
      });
      const bad = await errorOf(CREATE_OPERATOR, { i: { name: 'Other', number: 13, dateOfJoining: '2019-02-30' } });
      expect(bad?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { dateOfJoining: expect.any(String) } });
    });
  });

  describe('shifts', () => {
    let morning: number;

    it('are created with their details, in UTC as given', async () => {
      const { createShift } = await gql(CREATE_SHIFT, {
        i: {
          machineCode: '7G',
          operatorId: ravi,
          elementTypeId,
          startsAt: day(6),
          endsAt: day(14),
          plateThickness: '12',
          plateDescription: 'IS 2062',
          remarks: 'root pass',
          iNo: 'I-77',
          fcNo: 'FC-9',
          project: 'Bridge',
        },
      });
      morning = createShift.id;
      expect(createShift).toMatchObject({
        machineCode: '7G',
        operator: { id: ravi, name: 'Ravi Kumar' },
        elementTypeId,
        startsAt: day(6),
        endsAt: day(14),
        durationSeconds: 8 * 3600,
        plateThickness: '12',
        remarks: 'root pass',
        iNo: 'I-77',
        fcNo: 'FC-9',
        project: 'Bridge',
      });
    });

    it('refuses an overlapping shift of the same machine with CONFLICT naming the shift in the way', async () => {
      const inside = await errorOf(CREATE_SHIFT, {
        i: { machineCode: '7G', operatorId: meena, elementTypeId, startsAt: day(13), endsAt: day(15) },
      });
      expect(inside?.extensions).toMatchObject({ code: 'CONFLICT', conflictingShiftId: morning });
      expect(inside?.message).toContain(`shift ${morning}`);
      expect(inside?.message).toContain('Ravi Kumar');
      expect(inside?.message).toContain(day(6));
      // Enclosing an existing shift is an overlap too.
      const enclosing = await errorOf(CREATE_SHIFT, {
        i: { machineCode: '7G', operatorId: meena, elementTypeId, startsAt: day(5), endsAt: day(15) },
      });
      expect(enclosing?.extensions).toMatchObject({ code: 'CONFLICT', conflictingShiftId: morning });
    });

    it('accepts a shift that starts when the previous one ends, and the same hours on another machine', async () => {
      const afternoon = await gql(CREATE_SHIFT, {
        i: { machineCode: '7G', operatorId: meena, elementTypeId, startsAt: day(14), endsAt: day(22) },
      });
      expect(afternoon.createShift).toMatchObject({ machineCode: '7G', startsAt: day(14) });
      const other = await gql(CREATE_SHIFT, {
        i: { machineCode: '7H', operatorId: meena, elementTypeId, startsAt: day(6), endsAt: day(14) },
      });
      expect(other.createShift).toMatchObject({ machineCode: '7H' });
    });

    it('refuses an end at or before the start, naming endsAt', async () => {
      for (const endsAt of [day(6), day(5)]) {
        const error = await errorOf(CREATE_SHIFT, {
          i: { machineCode: '7H', operatorId: ravi, elementTypeId, startsAt: day(23), endsAt },
        });
        expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { endsAt: expect.any(String) } });
      }
    });

    it('refuses an unknown machine, operator or element type, naming the field', async () => {
      const base = { machineCode: '7H', operatorId: ravi, elementTypeId, startsAt: day(22), endsAt: day(23) };
      for (const [field, value] of [
        ['machineCode', 'nope'],
        ['operatorId', 9999],
        ['elementTypeId', 9999],
      ] as const) {
        const error = await errorOf(CREATE_SHIFT, { i: { ...base, [field]: value } });
        expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { [field]: expect.any(String) } });
      }
    });

    it('lists shifts by machine and window, newest first', async () => {
      const { shifts } = await gql(
        `query($m: [String!], $from: DateTime, $to: DateTime) {
          shifts(machineCodes: $m, from: $from, to: $to) { totalCount items { machineCode startsAt } } }`,
        { m: ['7G'], from: day(10), to: day(23) },
      );
      expect(shifts).toEqual({
        totalCount: 2,
        items: [
          { machineCode: '7G', startsAt: day(14) },
          { machineCode: '7G', startsAt: day(6) },
        ],
      });
      const late = await gql('query($from: DateTime) { shifts(from: $from) { totalCount } }', { from: day(14) });
      expect(late.shifts.totalCount).toBe(1);
    });

    it('are updated, refusing an update into another shift', async () => {
      const { updateShift } = await gql(
        'mutation($id: Int!, $end: DateTime) { updateShift(id: $id, input: { endsAt: $end, remarks: "cap pass" }) { endsAt remarks iNo } }',
        { id: morning, end: day(13, 30) },
      );
      expect(updateShift).toEqual({ endsAt: day(13, 30), remarks: 'cap pass', iNo: 'I-77' });
      const clash = await errorOf(
        'mutation($id: Int!, $end: DateTime) { updateShift(id: $id, input: { endsAt: $end }) { id } }',
        {
          id: morning,
          end: day(15),
        },
      );
      expect(clash?.extensions).toMatchObject({ code: 'CONFLICT' });
      expect(clash?.message).toContain('Meena');
    });

    it('keep their operator: deleting an operator with shifts deactivates them, and they get no new shift', async () => {
      const { deleteOperator } = await gql(
        'mutation($id: Int!) { deleteOperator(id: $id) { outcome operator { id active } } }',
        { id: ravi },
      );
      expect(deleteOperator).toEqual({ outcome: 'DEACTIVATED', operator: { id: ravi, active: false } });
      const refused = await errorOf(CREATE_SHIFT, {
        i: { machineCode: '7H', operatorId: ravi, elementTypeId, startsAt: day(22), endsAt: day(23) },
      });
      expect(refused?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { operatorId: expect.any(String) } });
      // The shift of a deactivated operator can still be edited.
      const { updateShift } = await gql(
        'mutation($id: Int!) { updateShift(id: $id, input: { project: "B2" }) { project } }',
        {
          id: morning,
        },
      );
      expect(updateShift.project).toBe('B2');
    });

    it('are deleted, and an operator without shifts is deleted for good', async () => {
      const lone = (await gql(CREATE_OPERATOR, { i: { name: 'Lone', number: 99 } })).createOperator.id;
      const { deleteOperator } = await gql('mutation($id: Int!) { deleteOperator(id: $id) { outcome } }', { id: lone });
      expect(deleteOperator.outcome).toBe('DELETED');
      const { deleteShift } = await gql('mutation($id: Int!) { deleteShift(id: $id) { id } }', { id: morning });
      expect(deleteShift.id).toBe(morning);
      expect(
        (await errorOf('mutation($id: Int!) { deleteShift(id: $id) { id } }', { id: morning }))?.extensions,
      ).toMatchObject({ code: 'NOT_FOUND' });
      // The morning is free again.
      const again = await gql(CREATE_SHIFT, {
        i: { machineCode: '7G', operatorId: meena, elementTypeId, startsAt: day(6), endsAt: day(14) },
      });
      expect(again.createShift.startsAt).toBe(day(6));
    });
  });

  describe('instructions', () => {
    it('are created, listed newest first, refused twice, and deleted', async () => {
      const create = 'mutation($t: String!) { createInstruction(input: { text: $t }) { id text } }';
      const first = (await gql(create, { t: 'Wear a welding helmet' })).createInstruction;
      const second = (await gql(create, { t: '  Check the earth clamp  ' })).createInstruction;
      expect(second.text).toBe('Check the earth clamp');
      expect((await errorOf(create, { t: 'Wear a welding helmet' }))?.extensions).toMatchObject({
        code: 'CONFLICT',
        field: 'text',
      });
      const { instructions } = await gql('{ instructions { totalCount items { text } } }');
      expect(instructions).toEqual({
        totalCount: 2,
        items: [{ text: 'Check the earth clamp' }, { text: 'Wear a welding helmet' }],
      });
      await gql('mutation($id: Int!) { deleteInstruction(id: $id) { id } }', { id: first.id });
      expect((await gql('{ instructions { totalCount } }')).instructions.totalCount).toBe(1);
    });
  });
});
