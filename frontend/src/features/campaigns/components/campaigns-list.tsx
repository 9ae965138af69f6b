import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/card';
import { Empty, QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { dateTime, number } from '@/lib/format';

import { useCampaigns } from '../api/get-campaigns';

export function CampaignsList() {
  const campaigns = useCampaigns();
  return (
    <>
      <PageHeader
        title="Campaigns"
        actions={
          <Link to="/campaigns/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
            New campaign
          </Link>
        }
      />
      <QueryState query={campaigns}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty title="No campaigns yet">
              <Link className="text-indigo-700 underline" to="/campaigns/new">
                Create a campaign
              </Link>
            </Empty>
          ) : (
            <Table head={['Name', 'Status', 'Channel', 'Sent', 'Scheduled', 'Created']}>
              {page.data.map((c) => (
                <tr key={c.id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 hover:underline" to={`/campaigns/${c.id}`}>
                      {c.name}
                    </Link>
                  </Td>
                  <Td>
                    <StatusBadge status={c.status} />
                  </Td>
                  <Td>{c.channel}</Td>
                  <Td>
                    {number(c.sent)} / {number(c.total)}
                  </Td>
                  <Td>{dateTime(c.scheduled_at)}</Td>
                  <Td className="text-slate-500">{dateTime(c.created_at)}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryState>
    </>
  );
}
