import { useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/card';
import { Input } from '@/components/ui/form';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { dateTime, fullName } from '@/lib/format';
import { useDebounced } from '@/lib/use-debounced';

import { useCustomers } from '../api/get-customers';

export function CustomersTable() {
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const customers = useCustomers({ q: q || undefined, limit: 50 });
  const rows = customers.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader
        title="Customers"
        actions={
          <Link to="/customers/import" className="rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
            Import CSV
          </Link>
        }
      />
      <Input
        type="search"
        placeholder="Search by email or name"
        aria-label="Search customers"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        className="mb-3 max-w-md"
      />
      {customers.isPending ? (
        <Loading />
      ) : customers.isError ? (
        <ErrorState error={customers.error} retry={() => customers.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={q ? `No customer matches “${q}”` : 'No customers yet'}>
          {!q && <Link className="text-indigo-700 underline" to="/customers/import">Import a CSV</Link>}
        </Empty>
      ) : (
        <>
          <Table head={['Name', 'Email', 'Country', 'City', 'Created']}>
            {rows.map((c) => (
              <tr key={c.id} className="hover:bg-slate-50">
                <Td>
                  <Link className="font-medium text-indigo-700 hover:underline" to={`/customers/${c.id}`}>
                    {fullName(c)}
                  </Link>
                </Td>
                <Td>{c.email}</Td>
                <Td>{c.country ?? '—'}</Td>
                <Td>{c.city ?? '—'}</Td>
                <Td className="text-slate-500">{dateTime(c.created_at)}</Td>
              </tr>
            ))}
          </Table>
          <div className="mt-3 flex items-center gap-3 text-sm text-slate-500">
            <span>{rows.length} shown</span>
            {customers.hasNextPage && (
              <Button variant="secondary" busy={customers.isFetchingNextPage} onClick={() => customers.fetchNextPage()}>
                Load more
              </Button>
            )}
          </div>
        </>
      )}
    </>
  );
}
