// The segment criteria tree (ARCHITECTURE.md's one JSON shape) and the pure edits the visual
// builder makes to it. Paths are index lists from the root group: [2, 0] is the first
// condition of the root's third item. Every edit returns a new tree; nothing is mutated.

export type Window = { amount: number; unit: Unit };
export type Unit = 'hours' | 'days' | 'weeks' | 'months' | 'years';
export const UNITS: Unit[] = ['hours', 'days', 'weeks', 'months', 'years'];

export type FieldCondition = { field: string; op: string; value?: unknown };
export type EventCondition = {
  event: string;
  op: 'count_gte' | 'count_lte' | 'count_eq' | 'never';
  value?: number;
  within_last?: Window;
};
export type ProductCondition = {
  product: { category?: string; sku?: string; product_id?: number };
  op: 'purchased' | 'not_purchased';
  within_last?: Window;
};
export type Group = { match: 'all' | 'any'; negate?: boolean; conditions: Condition[] };
export type Condition = FieldCondition | EventCondition | ProductCondition | Group;
export type Path = number[];

/** One entry of `GET /api/segments/fields`. */
export type FieldSpec = {
  name: string;
  label: string;
  type: string; // number | text | boolean | date | attribute | event | product
  kind?: string; // field | attribute | event | product
  operators: string[];
  description?: string;
};

export const MAX_DEPTH = 5;

export const isGroup = (c: Condition): c is Group => 'conditions' in c;
export const isEvent = (c: Condition): c is EventCondition => 'event' in c;
export const isProduct = (c: Condition): c is ProductCondition => 'product' in c;
export const isField = (c: Condition): c is FieldCondition => 'field' in c;

export const emptyGroup = (match: Group['match'] = 'all'): Group => ({ match, conditions: [] });

export const OP_LABELS: Record<string, string> = {
  eq: 'is',
  ne: 'is not',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  between: 'between',
  contains: 'contains',
  starts_with: 'starts with',
  in: 'is one of',
  not_in: 'is none of',
  is_set: 'is set',
  is_not_set: 'is not set',
  before: 'before',
  after: 'after',
  within_last: 'in the last',
  not_within_last: 'not in the last',
  more_than_ago: 'more than … ago',
  count_gte: 'at least',
  count_lte: 'at most',
  count_eq: 'exactly',
  never: 'never',
  purchased: 'purchased',
  not_purchased: 'never purchased',
};

const WINDOW_OPS = ['within_last', 'not_within_last', 'more_than_ago'];
const NO_VALUE_OPS = ['is_set', 'is_not_set'];
const LIST_OPS = ['in', 'not_in'];

/** The type a field condition's value takes; custom attributes are typed by their value. */
export function valueType(field: string, fields: FieldSpec[], value?: unknown): string {
  const spec = fields.find((f) => f.name === field);
  if (spec) return spec.type;
  if (field.startsWith('attributes.')) {
    if (typeof value === 'number') return 'number';
    if (typeof value === 'boolean') return 'boolean';
    return 'text';
  }
  return 'text';
}

/** What a value should start as when a condition gets an operator. */
export function defaultValue(type: string, op: string): unknown {
  if (NO_VALUE_OPS.includes(op)) return undefined;
  if (WINDOW_OPS.includes(op)) return { amount: 30, unit: 'days' };
  if (LIST_OPS.includes(op)) return [];
  if (op === 'between') return type === 'date' ? ['', ''] : [0, 0];
  if (type === 'number') return 0;
  if (type === 'boolean') return true;
  return '';
}

/** A fresh condition for a registry entry: the first operator with a matching empty value. */
export function newCondition(spec: FieldSpec): Condition {
  if (spec.type === 'event' || spec.kind === 'event') {
    return { event: '', op: 'count_gte', value: 1, within_last: { amount: 30, unit: 'days' } };
  }
  if (spec.type === 'product' || spec.kind === 'product') {
    return { product: { category: '' }, op: 'purchased', within_last: { amount: 90, unit: 'days' } };
  }
  if (spec.type === 'attribute' || spec.kind === 'attribute') {
    return { field: 'attributes.', op: 'eq', value: '' };
  }
  const op = spec.operators[0] ?? 'eq';
  return { field: spec.name, op, value: defaultValue(spec.type, op) };
}

/** The operators a field condition may use (custom attributes: by the value's type). */
export function operatorsFor(field: string, fields: FieldSpec[], value?: unknown): string[] {
  const spec = fields.find((f) => f.name === field);
  if (spec) return spec.operators;
  const type = valueType(field, fields, value);
  const byType: Record<string, string[]> = {
    number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between'],
    boolean: ['eq', 'ne'],
    text: ['eq', 'ne', 'contains', 'starts_with', 'in', 'not_in', 'is_set', 'is_not_set'],
  };
  return byType[type] ?? byType.text;
}

export function getAt(root: Group, path: Path): Condition {
  let node: Condition = root;
  for (const index of path) {
    if (!isGroup(node)) throw new Error(`path ${path.join('.')} goes through a condition`);
    node = node.conditions[index];
    if (node === undefined) throw new Error(`no condition at ${path.join('.')}`);
  }
  return node;
}

/** Replace the node at `path` by what `change` returns. */
export function updateAt(root: Group, path: Path, change: (node: Condition) => Condition): Group {
  if (path.length === 0) return change(root) as Group;
  const [head, ...rest] = path;
  return {
    ...root,
    conditions: root.conditions.map((child, i) =>
      i !== head ? child : rest.length === 0 ? change(child) : updateAt(child as Group, rest, change),
    ),
  };
}

export function addAt(root: Group, groupPath: Path, condition: Condition): Group {
  if (isGroup(condition) && groupPath.length + 2 > MAX_DEPTH) {
    throw new Error(`groups nest at most ${MAX_DEPTH} levels deep`);
  }
  return updateAt(root, groupPath, (g) => ({ ...(g as Group), conditions: [...(g as Group).conditions, condition] }));
}

export function removeAt(root: Group, path: Path): Group {
  if (path.length === 0) return emptyGroup(root.match);
  const parent = path.slice(0, -1);
  const index = path[path.length - 1];
  return updateAt(root, parent, (g) => ({
    ...(g as Group),
    conditions: (g as Group).conditions.filter((_, i) => i !== index),
  }));
}

/** Change a field condition's operator, resetting the value when its shape changes. */
export function setOperator(c: FieldCondition, op: string, fields: FieldSpec[]): FieldCondition {
  const type = valueType(c.field, fields, c.value);
  const shape = (o: string) =>
    NO_VALUE_OPS.includes(o) ? 'none' : WINDOW_OPS.includes(o) ? 'window' : LIST_OPS.includes(o) ? 'list' : o === 'between' ? 'pair' : 'scalar';
  const next: FieldCondition = { field: c.field, op };
  if (shape(op) === shape(c.op) && c.value !== undefined) next.value = c.value;
  else if (shape(op) !== 'none') next.value = defaultValue(type, op);
  return next;
}

/** Change a field condition's field, keeping the operator only when the new field has it. */
export function setField(c: FieldCondition, field: string, fields: FieldSpec[]): FieldCondition {
  const ops = operatorsFor(field, fields, c.value);
  if (ops.includes(c.op) && valueType(field, fields, c.value) === valueType(c.field, fields, c.value)) {
    return { ...c, field };
  }
  const op = ops[0] ?? 'eq';
  const type = valueType(field, fields);
  const next: FieldCondition = { field, op };
  const value = defaultValue(type, op);
  if (value !== undefined) next.value = value;
  return next;
}

export type Problem = { path: Path; message: string };

const validWindow = (w: unknown): boolean =>
  typeof w === 'object' && w !== null && Number.isInteger((w as Window).amount) && (w as Window).amount > 0 && UNITS.includes((w as Window).unit);

/** What must be fixed before the criteria are worth sending (the server checks again). */
export function validate(root: Group, fields: FieldSpec[], path: Path = []): Problem[] {
  const problems: Problem[] = [];
  if (path.length === 0 && root.conditions.length === 0) {
    return [{ path: [], message: 'add at least one condition' }];
  }
  if (path.length > 0 && root.conditions.length === 0) {
    problems.push({ path, message: 'this group is empty' });
  }
  root.conditions.forEach((c, i) => {
    const at = [...path, i];
    const bad = (message: string) => problems.push({ path: at, message });
    if (isGroup(c)) {
      problems.push(...validate(c, fields, at));
    } else if (isEvent(c)) {
      if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(c.event)) bad('name the event (letters, digits, _ . : -)');
      if (c.op !== 'never' && !(Number.isInteger(c.value) && (c.value as number) >= 0)) bad('the count must be a whole number ≥ 0');
      if (c.within_last && !validWindow(c.within_last)) bad('the time window needs a positive whole amount');
    } else if (isProduct(c)) {
      const value = c.product.category ?? c.product.sku ?? c.product.product_id;
      if (value === undefined || value === '') bad('name the product category or SKU');
      if (c.within_last && !validWindow(c.within_last)) bad('the time window needs a positive whole amount');
    } else {
      const type = valueType(c.field, fields, c.value);
      if (c.field.startsWith('attributes.')) {
        if (!/^attributes\.[A-Za-z_][A-Za-z0-9_]*$/.test(c.field)) bad('name the custom attribute (letters, digits, _)');
      } else if (!fields.some((f) => f.name === c.field)) {
        bad(`unknown field ${c.field}`);
      }
      const v = c.value;
      if (NO_VALUE_OPS.includes(c.op)) return;
      if (WINDOW_OPS.includes(c.op)) {
        if (!validWindow(v)) bad('the time window needs a positive whole amount');
      } else if (LIST_OPS.includes(c.op)) {
        if (!Array.isArray(v) || v.length === 0) bad('give at least one value');
      } else if (c.op === 'between') {
        if (!Array.isArray(v) || v.length !== 2 || v.some((x) => x === '' || x == null)) bad('give both ends of the range');
        else if (v[0] > v[1]) bad('the range must go from low to high');
      } else if (type === 'number') {
        if (typeof v !== 'number' || !Number.isFinite(v)) bad('enter a number');
      } else if (type === 'date') {
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) bad('enter a date');
      } else if (type === 'text' && (typeof v !== 'string' || v.trim() === '')) {
        bad('enter a value');
      }
    }
  });
  return problems;
}

/** A sentence for the criteria, shown beside the builder and in lists. */
export function describe(c: Condition, fields: FieldSpec[]): string {
  if (isGroup(c)) {
    const inner = c.conditions.map((x) => describe(x, fields)).join(c.match === 'all' ? ' and ' : ' or ');
    const body = c.conditions.length > 1 ? `(${inner})` : inner;
    return c.negate ? `not ${body}` : body;
  }
  const window = (w?: Window) => (w ? ` in the last ${w.amount} ${w.unit}` : '');
  if (isEvent(c)) {
    return c.op === 'never'
      ? `never did ${c.event}${window(c.within_last)}`
      : `did ${c.event} ${OP_LABELS[c.op]} ${c.value} times${window(c.within_last)}`;
  }
  if (isProduct(c)) {
    const what = c.product.category ?? c.product.sku ?? c.product.product_id;
    return `${OP_LABELS[c.op]} ${what}${window(c.within_last)}`;
  }
  const label = fields.find((f) => f.name === c.field)?.label ?? c.field;
  const v = c.value;
  const shown =
    v === undefined
      ? ''
      : typeof v === 'object' && v !== null && 'amount' in v
        ? `${(v as Window).amount} ${(v as Window).unit}`
        : Array.isArray(v)
          ? v.join(c.op === 'between' ? ' and ' : ', ')
          : String(v);
  return `${label} ${OP_LABELS[c.op] ?? c.op}${shown ? ` ${shown}` : ''}`;
}
