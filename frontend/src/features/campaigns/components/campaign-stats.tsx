import { Card, Stat } from '@/components/ui/card';
import { QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { number, percent } from '@/lib/format';

import { useStats } from '../api/get-stats';

export function CampaignStats({ id, status, live }: { id: number; status: string; live: boolean }) {
  const stats = useStats(id, status, live);
  return (
    <QueryState query={stats}>
      {(s) => (
        <div className="space-y-3">
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat label="Delivered" value={number(s.delivered)} sub={`${percent(s.delivery_rate)} of ${number(s.total)}`} />
            <Stat label="Opened" value={number(s.opened)} sub={`${percent(s.open_rate)} open rate`} />
            <Stat label="Clicked" value={number(s.clicked)} sub={`${percent(s.click_rate)} click rate`} />
            <Stat label="Unsubscribed" value={number(s.unsubscribed)} sub={percent(s.unsubscribe_rate)} />
          </div>
          {s.channels.length > 1 && (
            <Card title="Channels">
              <Table head={['Channel', 'Messages', 'Sent', 'Skipped', 'Failed', 'Opened', 'Clicked']}>
                {s.channels.map((c) => (
                  <tr key={c.channel}>
                    <Td>{c.channel}</Td>
                    <Td>{number(c.total)}</Td>
                    <Td>{number(c.sent)}</Td>
                    <Td>{number(c.skipped)}</Td>
                    <Td>{number(c.failed)}</Td>
                    <Td>{number(c.opened)}</Td>
                    <Td>{number(c.clicked)}</Td>
                  </tr>
                ))}
              </Table>
            </Card>
          )}
          {s.variants.length > 1 && (
            <Card title="Variants">
              <Table head={['Variant', 'Sent', 'Opened', 'Clicked']}>
                {s.variants.map((v) => (
                  <tr key={v.step_id}>
                    <Td>{v.variant}</Td>
                    <Td>{number(v.sent)}</Td>
                    <Td>{number(v.opened)}</Td>
                    <Td>{number(v.clicked)}</Td>
                  </tr>
                ))}
              </Table>
            </Card>
          )}
        </div>
      )}
    </QueryState>
  );
}
