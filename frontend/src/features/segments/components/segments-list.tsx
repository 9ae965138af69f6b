import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/form';
import { Empty, QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { errorMessage } from '@/lib/api-client';
import { dateTime, number } from '@/lib/format';

import { useDeleteSegment } from '../api/delete-segment';
import { useSegments } from '../api/get-segments';

export function SegmentsList() {
  const segments = useSegments();
  const remove = useDeleteSegment();
  return (
    <>
      <PageHeader
        title="Segments"
        actions={
          <Link to="/segments/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
            New segment
          </Link>
        }
      />
      <FormError message={remove.isError ? errorMessage(remove.error) : null} />
      <QueryState query={segments}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty title="No segments yet">
              <Link className="text-indigo-700 underline" to="/segments/new">
                Build your first segment
              </Link>
            </Empty>
          ) : (
            <Table head={['Name', 'Customers', 'Updated', '']}>
              {page.data.map((s) => (
                <tr key={s.id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 hover:underline" to={`/segments/${s.id}`}>
                      {s.name}
                    </Link>
                  </Td>
                  <Td>{number(s.customer_count ?? null)}</Td>
                  <Td className="text-slate-500">{dateTime(s.updated_at)}</Td>
                  <Td className="text-right">
                    <Button
                      variant="ghost"
                      onClick={() => window.confirm(`Delete segment “${s.name}”?`) && remove.mutate(s.id)}
                    >
                      Delete
                    </Button>
                  </Td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
