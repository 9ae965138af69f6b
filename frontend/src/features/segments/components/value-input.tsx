import { Input, Select } from '@/components/ui/form';

import { UNITS, type Unit, type Window } from '../lib/criteria';

export function WindowInput({ value, onChange, label }: { value?: Window; onChange: (w: Window) => void; label: string }) {
  const w = value ?? { amount: 30, unit: 'days' as Unit };
  return (
    <span className="flex gap-1">
      <Input
        type="number"
        min={1}
        aria-label={`${label} amount`}
        className="w-20"
        value={Number.isFinite(w.amount) ? w.amount : ''}
        onChange={(e) => onChange({ ...w, amount: e.target.value === '' ? NaN : Number(e.target.value) })}
      />
      <Select aria-label={`${label} unit`} className="w-28" value={w.unit} onChange={(e) => onChange({ ...w, unit: e.target.value as Unit })}>
        {UNITS.map((u) => (
          <option key={u}>{u}</option>
        ))}
      </Select>
    </span>
  );
}

const parseScalar = (type: string, raw: string): unknown =>
  type === 'number' ? (raw === '' ? NaN : Number(raw)) : raw;

/** The value editor for a field condition: its shape follows the operator and type. */
export function ValueInput({
  type,
  op,
  value,
  onChange,
}: {
  type: string;
  op: string;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  if (op === 'is_set' || op === 'is_not_set') return null;
  if (['within_last', 'not_within_last', 'more_than_ago'].includes(op)) {
    return <WindowInput label="Value" value={value as Window} onChange={onChange} />;
  }
  if (op === 'in' || op === 'not_in') {
    const list = Array.isArray(value) ? value : [];
    return (
      <Input
        aria-label="Values"
        className="sm:w-64"
        placeholder="comma, separated, values"
        defaultValue={list.join(', ')}
        onChange={(e) =>
          onChange(
            e.target.value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        }
      />
    );
  }
  const inputType = type === 'number' ? 'number' : type === 'date' ? 'date' : 'text';
  const show = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? '' : String(v ?? ''));
  if (op === 'between') {
    const pair = Array.isArray(value) ? value : ['', ''];
    return (
      <span className="flex items-center gap-1">
        <Input type={inputType} aria-label="From" className="sm:w-36" value={show(pair[0])} onChange={(e) => onChange([parseScalar(type, e.target.value), pair[1]])} />
        <span className="text-xs text-slate-500">and</span>
        <Input type={inputType} aria-label="To" className="sm:w-36" value={show(pair[1])} onChange={(e) => onChange([pair[0], parseScalar(type, e.target.value)])} />
      </span>
    );
  }
  if (type === 'boolean') {
    return (
      <Select aria-label="Value" className="sm:w-28" value={String(value)} onChange={(e) => onChange(e.target.value === 'true')}>
        <option value="true">true</option>
        <option value="false">false</option>
      </Select>
    );
  }
  return <Input type={inputType} aria-label="Value" className="sm:w-48" value={show(value)} onChange={(e) => onChange(parseScalar(type, e.target.value))} />;
}
