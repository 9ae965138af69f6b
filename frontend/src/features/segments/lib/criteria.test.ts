import { describe as group, expect, it } from 'vitest';

import {
  addAt,
  describe,
  emptyGroup,
  getAt,
  newCondition,
  removeAt,
  setField,
  setOperator,
  updateAt,
  validate,
  type FieldSpec,
  type Group,
} from './criteria';

// The registry as GET /api/segments/fields serves it (a subset).
const FIELDS: FieldSpec[] = [
  { name: 'country', label: 'Country', type: 'text', kind: 'field', operators: ['eq', 'ne', 'in', 'not_in', 'is_set', 'is_not_set'] },
  { name: 'total_spent', label: 'Total spent', type: 'number', kind: 'field', operators: ['eq', 'gt', 'gte', 'lt', 'between'] },
  { name: 'last_order_at', label: 'Last order', type: 'date', kind: 'field', operators: ['before', 'after', 'within_last', 'is_set'] },
  { name: 'email_opt_in', label: 'Email opt-in', type: 'boolean', kind: 'field', operators: ['eq', 'ne'] },
  { name: 'attributes.<key>', label: 'Custom attribute', type: 'attribute', kind: 'attribute', operators: ['eq'] },
  { name: 'event', label: 'Event count', type: 'event', kind: 'event', operators: ['count_gte', 'never'] },
  { name: 'product', label: 'Purchased', type: 'product', kind: 'product', operators: ['purchased'] },
];
const spec = (name: string) => FIELDS.find((f) => f.name === name)!;

group('building a tree', () => {
  it('adds conditions and nested groups by path, without mutating', () => {
    const root = emptyGroup();
    const one = addAt(root, [], newCondition(spec('total_spent')));
    const two = addAt(one, [], emptyGroup('any'));
    const three = addAt(two, [1], newCondition(spec('country')));
    expect(root.conditions).toHaveLength(0);
    expect(three).toEqual({
      match: 'all',
      conditions: [
        { field: 'total_spent', op: 'eq', value: 0 },
        { match: 'any', conditions: [{ field: 'country', op: 'eq', value: '' }] },
      ],
    });
    expect(getAt(three, [1, 0])).toEqual({ field: 'country', op: 'eq', value: '' });
  });

  it('updates and removes deep nodes', () => {
    let tree: Group = { match: 'all', conditions: [{ match: 'any', conditions: [{ field: 'country', op: 'eq', value: 'US' }, { field: 'country', op: 'eq', value: 'GB' }] }] };
    tree = updateAt(tree, [0, 1], (c) => ({ ...c, value: 'FR' }) as never);
    expect(getAt(tree, [0, 1])).toEqual({ field: 'country', op: 'eq', value: 'FR' });
    tree = removeAt(tree, [0, 0]);
    expect((getAt(tree, [0]) as Group).conditions).toEqual([{ field: 'country', op: 'eq', value: 'FR' }]);
  });

  it('refuses groups deeper than the server allows', () => {
    let tree = emptyGroup();
    let path: number[] = [];
    for (let depth = 2; depth <= 5; depth++) {
      tree = addAt(tree, path, emptyGroup());
      path = [...path, 0];
    }
    expect(() => addAt(tree, path, emptyGroup())).toThrow(/5 levels/);
  });

  it('makes event, purchase and attribute conditions in the API shape', () => {
    expect(newCondition(spec('event'))).toEqual({ event: '', op: 'count_gte', value: 1, within_last: { amount: 30, unit: 'days' } });
    expect(newCondition(spec('product'))).toMatchObject({ product: { category: '' }, op: 'purchased' });
    expect(newCondition(spec('attributes.<key>'))).toEqual({ field: 'attributes.', op: 'eq', value: '' });
  });
});

group('operators and fields', () => {
  it('resets the value when the operator changes its shape, keeps it otherwise', () => {
    const c = { field: 'total_spent', op: 'gt', value: 500 };
    expect(setOperator(c, 'gte', FIELDS)).toEqual({ field: 'total_spent', op: 'gte', value: 500 });
    expect(setOperator(c, 'between', FIELDS)).toEqual({ field: 'total_spent', op: 'between', value: [0, 0] });
    expect(setOperator({ field: 'last_order_at', op: 'before', value: '2026-01-01' }, 'within_last', FIELDS)).toEqual({
      field: 'last_order_at',
      op: 'within_last',
      value: { amount: 30, unit: 'days' },
    });
    expect(setOperator({ field: 'country', op: 'eq', value: 'US' }, 'is_set', FIELDS)).toEqual({ field: 'country', op: 'is_set' });
  });

  it('changing the field picks an operator the new field has', () => {
    expect(setField({ field: 'total_spent', op: 'gt', value: 5 }, 'email_opt_in', FIELDS)).toEqual({ field: 'email_opt_in', op: 'eq', value: true });
    expect(setField({ field: 'country', op: 'eq', value: 'US' }, 'country', FIELDS)).toEqual({ field: 'country', op: 'eq', value: 'US' });
  });
});

group('validation', () => {
  it('an empty segment and empty values are caught before sending', () => {
    expect(validate(emptyGroup(), FIELDS)).toEqual([{ path: [], message: 'add at least one condition' }]);
    const tree: Group = {
      match: 'all',
      conditions: [
        { field: 'country', op: 'eq', value: '' },
        { field: 'total_spent', op: 'gt', value: NaN },
        { field: 'total_spent', op: 'between', value: [10, 5] },
        { field: 'last_order_at', op: 'within_last', value: { amount: 0, unit: 'days' } },
        { field: 'country', op: 'in', value: [] },
        { field: 'attributes.', op: 'eq', value: 'x' },
        { event: '', op: 'count_gte', value: 1 },
        { product: { category: '' }, op: 'purchased' },
        { match: 'any', conditions: [] },
      ],
    };
    expect(validate(tree, FIELDS).map((p) => p.path[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('the architecture example is valid and reads as a sentence', () => {
    const example: Group = {
      match: 'all',
      conditions: [
        { field: 'total_spent', op: 'gt', value: 500 },
        { field: 'last_order_at', op: 'within_last', value: { amount: 90, unit: 'days' } },
        { match: 'any', negate: false, conditions: [{ field: 'country', op: 'in', value: ['US', 'GB'] }, { field: 'attributes.vip', op: 'eq', value: true }] },
        { event: 'viewed_product', op: 'count_gte', value: 3, within_last: { amount: 7, unit: 'days' } },
        { product: { category: 'shoes' }, op: 'purchased', within_last: { amount: 1, unit: 'years' } },
      ],
    };
    expect(validate(example, FIELDS)).toEqual([]);
    expect(describe(example, FIELDS)).toBe(
      '(Total spent > 500 and Last order in the last 90 days and (Country is one of US, GB or attributes.vip is true) and did viewed_product at least 3 times in the last 7 days and purchased shoes in the last 1 years)',
    );
  });
});
