import { Button } from '@/components/ui/button';
import { Input, Select } from '@/components/ui/form';

import {
  OP_LABELS,
  isEvent,
  isProduct,
  operatorsFor,
  setField,
  setOperator,
  valueType,
  type Condition,
  type EventCondition,
  type FieldCondition,
  type FieldSpec,
  type ProductCondition,
} from '../lib/criteria';
import { ValueInput, WindowInput } from './value-input';

type RowProps<C> = { condition: C; fields: FieldSpec[]; onChange: (c: Condition) => void };

function FieldRow({ condition: c, fields, onChange }: RowProps<FieldCondition>) {
  const plain = fields.filter((f) => (f.kind ?? 'field') === 'field');
  const isAttribute = c.field.startsWith('attributes.');
  const type = valueType(c.field, fields, c.value);
  return (
    <>
      <Select
        aria-label="Field"
        className="sm:w-44"
        value={isAttribute ? 'attributes.' : c.field}
        onChange={(e) => onChange(setField(c, e.target.value, fields))}
      >
        {plain.map((f) => (
          <option key={f.name} value={f.name}>
            {f.label}
          </option>
        ))}
        <option value="attributes.">Custom attribute…</option>
      </Select>
      {isAttribute && (
        <Input
          aria-label="Attribute name"
          placeholder="attribute"
          className="sm:w-32"
          value={c.field.slice('attributes.'.length)}
          onChange={(e) => onChange({ ...c, field: `attributes.${e.target.value.trim()}` })}
        />
      )}
      <Select aria-label="Operator" className="sm:w-40" value={c.op} onChange={(e) => onChange(setOperator(c, e.target.value, fields))}>
        {operatorsFor(c.field, fields, c.value).map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op] ?? op}
          </option>
        ))}
      </Select>
      <ValueInput type={type} op={c.op} value={c.value} onChange={(value) => onChange({ ...c, value })} />
    </>
  );
}

function EventRow({ condition: c, onChange }: RowProps<EventCondition>) {
  return (
    <>
      <span className="text-sm text-slate-600">did event</span>
      <Input aria-label="Event name" placeholder="viewed_product" className="sm:w-40" value={c.event} onChange={(e) => onChange({ ...c, event: e.target.value.trim() })} />
      <Select
        aria-label="Operator"
        className="sm:w-28"
        value={c.op}
        onChange={(e) => {
          const op = e.target.value as EventCondition['op'];
          onChange(op === 'never' ? { event: c.event, op, within_last: c.within_last } : { ...c, op, value: c.value ?? 1 });
        }}
      >
        {['count_gte', 'count_lte', 'count_eq', 'never'].map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op]}
          </option>
        ))}
      </Select>
      {c.op !== 'never' && (
        <Input type="number" min={0} aria-label="Count" className="w-20" value={c.value ?? ''} onChange={(e) => onChange({ ...c, value: e.target.value === '' ? NaN : Number(e.target.value) })} />
      )}
      <span className="text-sm text-slate-600">times in the last</span>
      <WindowInput label="Window" value={c.within_last} onChange={(w) => onChange({ ...c, within_last: w })} />
    </>
  );
}

function ProductRow({ condition: c, onChange }: RowProps<ProductCondition>) {
  return (
    <>
      <Select aria-label="Operator" className="sm:w-40" value={c.op} onChange={(e) => onChange({ ...c, op: e.target.value as ProductCondition['op'] })}>
        <option value="purchased">purchased from</option>
        <option value="not_purchased">never purchased from</option>
      </Select>
      <Input aria-label="Category" placeholder="category, e.g. shoes" className="sm:w-40" value={c.product.category ?? ''} onChange={(e) => onChange({ ...c, product: { category: e.target.value } })} />
      <span className="text-sm text-slate-600">in the last</span>
      <WindowInput label="Window" value={c.within_last} onChange={(w) => onChange({ ...c, within_last: w })} />
    </>
  );
}

export function ConditionRow({
  condition,
  fields,
  onChange,
  onRemove,
  problem,
}: RowProps<Condition> & { onRemove: () => void; problem?: string }) {
  return (
    <div data-testid="condition" className="rounded-md bg-white p-2 ring-1 ring-slate-200">
      <div className="flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-center">
        {isEvent(condition) ? (
          <EventRow condition={condition} fields={fields} onChange={onChange} />
        ) : isProduct(condition) ? (
          <ProductRow condition={condition} fields={fields} onChange={onChange} />
        ) : (
          <FieldRow condition={condition as FieldCondition} fields={fields} onChange={onChange} />
        )}
        <Button variant="ghost" aria-label="Remove condition" className="sm:ml-auto" onClick={onRemove}>
          ✕
        </Button>
      </div>
      {problem && <p className="mt-1 text-xs text-red-700">{problem}</p>}
    </div>
  );
}
