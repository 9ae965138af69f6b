import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/form';

import {
  MAX_DEPTH,
  addAt,
  emptyGroup,
  getAt,
  isGroup,
  newCondition,
  removeAt,
  updateAt,
  type FieldSpec,
  type Group,
  type Path,
  type Problem,
} from '../lib/criteria';
import { ConditionRow } from './condition-row';

type Props = { value: Group; onChange: (g: Group) => void; fields: FieldSpec[]; problems?: Problem[] };

const key = (p: Path) => p.join('.');

function GroupBox({ path, depth, ...props }: Props & { path: Path; depth: number }) {
  const { value: root, onChange, fields, problems = [] } = props;
  const group = getAt(root, path) as Group;
  const problemAt = (p: Path) => problems.find((x) => key(x.path) === key(p))?.message;
  const change = (g: Group) => onChange(g);
  const addFrom = (name: string) => {
    const spec = fields.find((f) => f.name === name);
    if (spec) change(addAt(root, path, newCondition(spec)));
  };
  return (
    <div
      data-testid="group"
      className={`space-y-2 rounded-lg p-3 ${depth % 2 ? 'bg-slate-50 ring-1 ring-slate-200' : 'bg-indigo-50/60 ring-1 ring-indigo-100'}`}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span>Match</span>
        <Select
          aria-label="Match"
          className="w-auto"
          value={group.match}
          onChange={(e) => change(updateAt(root, path, (g) => ({ ...(g as Group), match: e.target.value as Group['match'] })))}
        >
          <option value="all">all of</option>
          <option value="any">any of</option>
        </Select>
        <label className="flex items-center gap-1 text-slate-600">
          <input
            type="checkbox"
            className="accent-indigo-600"
            checked={Boolean(group.negate)}
            onChange={(e) => change(updateAt(root, path, (g) => ({ ...(g as Group), negate: e.target.checked })))}
          />
          exclude these
        </label>
        {path.length > 0 && (
          <Button variant="ghost" className="ml-auto" aria-label="Remove group" onClick={() => change(removeAt(root, path))}>
            Remove group
          </Button>
        )}
      </div>
      {group.conditions.map((c, i) => {
        const at = [...path, i];
        return isGroup(c) ? (
          <GroupBox key={i} {...props} path={at} depth={depth + 1} />
        ) : (
          <ConditionRow
            key={i}
            condition={c}
            fields={fields}
            problem={problemAt(at)}
            onChange={(next) => change(updateAt(root, at, () => next))}
            onRemove={() => change(removeAt(root, at))}
          />
        );
      })}
      {path.length > 0 && problemAt(path) && <p className="text-xs text-red-700">{problemAt(path)}</p>}
      <div className="flex flex-wrap gap-2">
        <Select aria-label="Add condition" className="w-auto" value="" onChange={(e) => addFrom(e.target.value)}>
          <option value="">+ Add condition…</option>
          {fields.map((f) => (
            <option key={f.name} value={f.name}>
              {f.label}
            </option>
          ))}
        </Select>
        {depth + 1 < MAX_DEPTH && (
          <Button variant="secondary" onClick={() => change(addAt(root, path, emptyGroup(group.match === 'all' ? 'any' : 'all')))}>
            + Add group
          </Button>
        )}
      </div>
    </div>
  );
}

/** The visual builder: nested AND/OR groups of conditions from the field registry. */
export function SegmentBuilder(props: Props) {
  return <GroupBox {...props} path={[]} depth={0} />;
}
