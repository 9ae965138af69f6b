import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormError } from '@/components/ui/form';
import { Empty, QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { errorMessage } from '@/lib/api-client';
import { dateTime } from '@/lib/format';

import { useCancelRun } from '../api/cancel-run';
import { useRuns } from '../api/get-runs';

export function FlowRuns({ flowId, live }: { flowId: number; live: boolean }) {
  const runs = useRuns(flowId, live);
  const cancel = useCancelRun(flowId);
  return (
    <Card title="Runs">
      <FormError message={cancel.isError ? errorMessage(cancel.error) : null} />
      <QueryState query={runs}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty title="No runs yet">Enrol a customer, or wait for the trigger.</Empty>
          ) : (
            <Table head={['Run', 'Customer', 'Status', 'Current step', 'Next wake', 'Started', '', '']}>
              {page.data.map((r) => (
                <tr key={r.id} data-testid="flow-run">
                  <Td>#{r.id}</Td>
                  <Td>
                    <Link className="text-indigo-700 hover:underline" to={`/customers/${r.customer_id}`}>
                      #{r.customer_id}
                    </Link>
                  </Td>
                  <Td>
                    <StatusBadge status={r.status} />
                  </Td>
                  <Td>
                    <code data-testid="current-step">{r.current_step ?? '—'}</code>
                    {r.exit_reason && <span className="ml-2 text-xs text-slate-500">{r.exit_reason}</span>}
                  </Td>
                  <Td>{dateTime(r.next_wake_at)}</Td>
                  <Td className="text-slate-500">{dateTime(r.started_at)}</Td>
                  <Td>
                    <a className="text-indigo-700 hover:underline" href={r.temporal_url} target="_blank" rel="noreferrer">
                      Temporal ↗
                    </a>
                  </Td>
                  <Td>
                    {['running', 'waiting'].includes(r.status) && (
                      <Button variant="ghost" onClick={() => window.confirm(`Stop run #${r.id}?`) && cancel.mutate(r.id)}>
                        Stop
                      </Button>
                    )}
                  </Td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}
