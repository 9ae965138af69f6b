import type { SchemaOr } from '@/lib/api';

type MessageShape = {
  id: number;
  customer_id: number;
  channel: string;
  status: string;
  campaign_id?: number | null;
  flow_id?: number | null;
  flow_run_id?: number | null;
  step_key?: string | null;
  to_address?: string | null;
  subject?: string | null;
  html?: string | null;
  text?: string | null;
  payload?: Record<string, unknown> | null;
  skip_reason?: string | null;
  last_error?: string | null;
  open_count?: number;
  click_count?: number;
  created_at: string;
  sent_at?: string | null;
};
export type Message = SchemaOr<'MessagePublic', MessageShape>;
export type MessageFilters = { campaign_id?: number; flow_id?: number; customer_id?: number; status?: string };
