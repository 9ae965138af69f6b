import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/card';
import { Empty, QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { dateTime } from '@/lib/format';

import { useFlows } from '../api/get-flows';

export function FlowsList() {
  const flows = useFlows();
  return (
    <>
      <PageHeader
        title="Flows"
        actions={
          <Link to="/flows/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
            New flow
          </Link>
        }
      />
      <QueryState query={flows}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty title="No flows yet">
              <Link className="text-indigo-700 underline" to="/flows/new">
                Create a flow
              </Link>
            </Empty>
          ) : (
            <Table head={['Name', 'Status', 'Trigger', 'Steps', 'Version', 'Updated']}>
              {page.data.map((f) => (
                <tr key={f.id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 hover:underline" to={`/flows/${f.id}`}>
                      {f.name}
                    </Link>
                  </Td>
                  <Td>
                    <StatusBadge status={f.status} />
                  </Td>
                  <Td>{String(f.trigger.type ?? '—')}</Td>
                  <Td>{f.steps.length}</Td>
                  <Td>{f.version ?? '—'}</Td>
                  <Td className="text-slate-500">{dateTime(f.updated_at)}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
