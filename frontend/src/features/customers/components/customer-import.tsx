import { useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, PageHeader, Stat } from '@/components/ui/card';
import { FormError } from '@/components/ui/form';
import { ProgressBar } from '@/components/ui/progress';
import { Table, Td } from '@/components/ui/table';
import { errorMessage } from '@/lib/api-client';
import { number } from '@/lib/format';

import { useImportCustomers } from '../api/import-customers';

export function CustomerImport() {
  const [file, setFile] = useState<File | null>(null);
  const [share, setShare] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useImportCustomers(setShare);
  const submit = () => {
    if (!file) return setProblem('Choose a CSV file first.');
    if (!/\.(csv|txt)$/i.test(file.name)) return setProblem('The file must be a .csv');
    setProblem(null);
    setShare(0);
    upload.mutate(file);
  };
  const result = upload.data;
  return (
    <>
      <PageHeader title="Import customers" actions={<Link className="text-sm text-indigo-700" to="/customers">Back to customers</Link>} />
      <Card>
        <p className="mb-3 text-sm text-slate-600">
          Columns: <code>email</code> (required), first_name, last_name, phone, country, city, timezone,
          email_opt_in, push_opt_in and any <code>attributes.&lt;key&gt;</code>. Existing emails are updated.
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label="CSV file"
            className="text-sm"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <Button onClick={submit} busy={upload.isPending}>
            Import
          </Button>
        </div>
        {upload.isPending && (
          <div className="mt-4">
            <ProgressBar value={share * 100} label={share < 1 ? 'uploading' : 'importing on the server'} />
          </div>
        )}
        <div className="mt-3">
          <FormError message={problem ?? (upload.isError ? errorMessage(upload.error) : null)} />
        </div>
      </Card>
      {result && (
        <div className="mt-4 space-y-4">
          <div className="grid grid-cols-3 gap-3">
            <Stat label="Created" value={number(result.created)} />
            <Stat label="Updated" value={number(result.updated)} />
            <Stat label="Rejected" value={number(result.rejected)} />
          </div>
          {result.rejects.length > 0 && (
            <Card title={`Rejected rows${result.rejects_truncated ? ' (first ones)' : ''}`}>
              <Table head={['Line', 'Reason']}>
                {result.rejects.map((r) => (
                  <tr key={r.row}>
                    <Td>{r.row}</Td>
                    <Td className="whitespace-normal">{r.reason}</Td>
                  </tr>
                ))}
              </Table>
            </Card>
          )}
        </div>
      )}
    </>
  );
}
