import { useEffect, useState } from 'react';

import { Card } from '@/components/ui/card';
import { Field, Input } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';

import { useTemplatePreview, type TemplateInput } from '../api/preview-template';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Live preview of the message for a chosen customer (sample data when none is chosen). */
export function TemplatePreview({ content }: { content: TemplateInput }) {
  const [customer, setCustomer] = useState('');
  const debounced = useDebounced(content, 500);
  const customerId = /^\d+$/.test(customer) ? Number(customer) : undefined;
  const preview = useTemplatePreview(debounced, customerId);
  const rendered = preview.data;
  return (
    <Card title="Preview">
      <Field label="For customer #" hint="Empty: sample data">
        <Input inputMode="numeric" value={customer} onChange={(e) => setCustomer(e.target.value.trim())} placeholder="e.g. 1" />
      </Field>
      <div className={`mt-3 ${preview.isFetching ? 'opacity-60' : ''}`}>
        {preview.isError ? (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(preview.error)}
          </p>
        ) : content.channel === 'push' ? (
          <div className="rounded-xl bg-slate-900 p-3 text-white">
            <div className="text-sm font-semibold">{rendered?.title ?? content.title}</div>
            <div className="text-sm text-slate-200">{rendered?.body ?? content.body}</div>
          </div>
        ) : (
          <>
            <div className="mb-2 text-sm">
              <span className="text-slate-500">Subject: </span>
              <span className="font-medium">{rendered?.subject ?? content.subject}</span>
            </div>
            <iframe
              title="Email preview"
              sandbox=""
              className="h-80 w-full rounded-md bg-white ring-1 ring-slate-200"
              srcDoc={rendered?.html ?? content.html ?? ''}
            />
          </>
        )}
      </div>
    </Card>
  );
}
