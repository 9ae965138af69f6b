// Thin route pages: read the URL, hand over to a feature component.
import { Link, useParams, useSearchParams } from 'react-router';

import { Empty } from '@/components/ui/states';
import { AssistantPanel } from '@/features/ai/components/assistant-panel';
import { LoginForm } from '@/features/auth/components/login-form';
import { CampaignDetail } from '@/features/campaigns/components/campaign-detail';
import { CampaignEditor } from '@/features/campaigns/components/campaign-editor';
import { CampaignsList } from '@/features/campaigns/components/campaigns-list';
import { CustomerImport } from '@/features/customers/components/customer-import';
import { CustomerProfile } from '@/features/customers/components/customer-profile';
import { CustomersTable } from '@/features/customers/components/customers-table';
import { Dashboard } from '@/features/dashboard/components/dashboard';
import { FlowDetail } from '@/features/flows/components/flow-detail';
import { FlowEditor } from '@/features/flows/components/flow-editor';
import { FlowsList } from '@/features/flows/components/flows-list';
import { MessagesTable } from '@/features/messages/components/messages-table';
import { SegmentEditor } from '@/features/segments/components/segment-editor';
import { SegmentsList } from '@/features/segments/components/segments-list';

const useId = () => {
  const { id } = useParams();
  return id === undefined ? undefined : Number(id);
};

function NumericId({ render }: { render: (id: number) => React.ReactNode }) {
  const id = useId();
  if (id === undefined || !Number.isInteger(id) || id <= 0) return <NotFoundPage />;
  return <>{render(id)}</>;
}

export const LoginPage = LoginForm;
export const DashboardPage = Dashboard;
export const CustomersPage = CustomersTable;
export const CustomerImportPage = CustomerImport;
export const CustomerPage = () => <NumericId render={(id) => <CustomerProfile key={id} id={id} />} />;
export const SegmentsPage = SegmentsList;
export function SegmentPage() {
  const id = useId();
  return id === undefined ? <SegmentEditor /> : <NumericId render={(n) => <SegmentEditor key={n} id={n} />} />;
}
export const CampaignsPage = CampaignsList;
export const CampaignPage = () => <NumericId render={(id) => <CampaignDetail key={id} id={id} />} />;
export function CampaignEditPage() {
  const id = useId();
  return id === undefined ? <CampaignEditor /> : <NumericId render={(n) => <CampaignEditor key={n} id={n} />} />;
}
export const FlowsPage = FlowsList;
export const FlowPage = () => <NumericId render={(id) => <FlowDetail key={id} id={id} />} />;
export function FlowEditPage() {
  const id = useId();
  return id === undefined ? <FlowEditor /> : <NumericId render={(n) => <FlowEditor key={n} id={n} />} />;
}
export function MessagesPage() {
  const [params] = useSearchParams();
  const num = (k: string) => (params.get(k) ? Number(params.get(k)) : undefined);
  return <MessagesTable filters={{ campaign_id: num('campaign_id'), flow_id: num('flow_id'), customer_id: num('customer_id') }} />;
}
export const AssistantPage = AssistantPanel;
export function NotFoundPage() {
  return (
    <Empty title="This page does not exist">
      <Link className="text-indigo-700 underline" to="/">
        Back to the dashboard
      </Link>
    </Empty>
  );
}
