import { useState } from 'react';

import { Card } from '@/components/ui/card';
import { Field, Select } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';
import { useDebounced } from '@/lib/use-debounced';

import { usePreviewCustomers } from '../api/get-preview-customers';
import { useTemplatePreview, type TemplateInput } from '../api/preview-template';

/** Live preview of the message for a chosen customer, rendered by the server. */
export function TemplatePreview({ content }: { content: TemplateInput }) {
  const customers = usePreviewCustomers();
  const [chosen, setChosen] = useState<number | undefined>();
  const customerId = chosen ?? customers.data?.[0]?.id;
  const debounced = useDebounced(content, 500);
  const preview = useTemplatePreview(debounced, customerId);
  const rendered = preview.data;
  return (
    <Card title="Preview">
      <Field label="As received by">
        <Select aria-label="Preview customer" value={customerId ?? ''} onChange={(e) => setChosen(Number(e.target.value))}>
          {customers.isPending && <option value="">Loading customers…</option>}
          {customers.data?.length === 0 && <option value="">No customers yet</option>}
          {customers.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {[c.first_name, c.last_name].filter(Boolean).join(' ') || c.email} · {c.email}
            </option>
          ))}
        </Select>
      </Field>
      <div className={`mt-3 ${preview.isFetching ? 'opacity-60' : ''}`} data-testid="template-preview">
        {preview.isError ? (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(preview.error)}
          </p>
        ) : content.channel === 'push' ? (
          <div className="rounded-xl bg-slate-900 p-3 text-white">
            <div className="text-sm font-semibold">{rendered?.title || content.title}</div>
            <div className="text-sm text-slate-200">{rendered?.body || content.body}</div>
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
              srcDoc={rendered?.html ?? ''}
            />
          </>
        )}
      </div>
    </Card>
  );
}
