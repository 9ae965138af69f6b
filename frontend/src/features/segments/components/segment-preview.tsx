import { Link } from 'react-router';

import { Card } from '@/components/ui/card';
import { ErrorState, Loading } from '@/components/ui/states';
import { number } from '@/lib/format';

import { usePreview } from '../api/preview-segment';
import type { Group } from '../lib/criteria';

/** The live count and a few sample members for criteria being edited. */
export function SegmentPreview({ criteria, ready }: { criteria: Group; ready: boolean }) {
  const preview = usePreview(criteria, ready);
  return (
    <Card title="Live preview">
      {!ready ? (
        <p className="text-sm text-slate-500">Complete the conditions to see who matches.</p>
      ) : preview.isPending ? (
        <Loading label="Counting…" />
      ) : preview.isError ? (
        <ErrorState error={preview.error} />
      ) : (
        <div className={preview.isFetching ? 'opacity-60' : ''}>
          <p className="text-3xl font-semibold text-slate-900" data-testid="preview-count">
            {number(preview.data.count)}
          </p>
          <p className="text-sm text-slate-500">customers match</p>
          {preview.data.sample.length > 0 && (
            <ul className="mt-3 divide-y divide-slate-100 text-sm">
              {preview.data.sample.slice(0, 10).map((m) => (
                <li key={m.id} className="truncate py-1">
                  <Link className="text-indigo-700 hover:underline" to={`/customers/${m.id}`}>
                    {m.email}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}
