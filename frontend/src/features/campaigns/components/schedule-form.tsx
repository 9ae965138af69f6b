import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field, FormError, Input, Select } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';

import { useScheduleCampaign } from '../api/campaign-actions';

const zones = (): string[] => {
  const supported = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : ['UTC', 'Europe/London', 'Europe/Paris', 'America/New_York'];
};

export function ScheduleForm({ id }: { id: number }) {
  const schedule = useScheduleCampaign(id);
  const [date, setDate] = useState('');
  const [time, setTime] = useState('09:00');
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
    if (!date || !time) return setProblem('Pick a date and a time.');
    setProblem(null);
    schedule.mutate({ date, time, timezone });
  };
  return (
    <Card title="Schedule">
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Date">
          <Input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </Field>
        <Field label="Time">
          <Input type="time" value={time} onChange={(e) => setTime(e.target.value)} />
        </Field>
        <Field label="Timezone">
          <Select value={timezone} onChange={(e) => setTimezone(e.target.value)}>
            {[...new Set(['UTC', ...zones()])].map((z) => (
              <option key={z}>{z}</option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="mt-3 flex items-center gap-3">
        <Button variant="secondary" busy={schedule.isPending} onClick={submit}>
          Schedule
        </Button>
        <FormError message={problem ?? (schedule.isError ? errorMessage(schedule.error) : null)} />
      </div>
    </Card>
  );
}
