import { Outlet, createBrowserRouter, type RouteObject } from 'react-router';

import { AppLayout } from '@/components/layouts/app-layout';
import { AuthSync, RequireAuth } from '@/lib/auth';

import * as pages from './routes';

function Root() {
  return (
    <>
      <AuthSync />
      <Outlet />
    </>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      { path: '/login', element: <pages.LoginPage /> },
      {
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { path: '/', element: <pages.DashboardPage /> },
          { path: '/customers', element: <pages.CustomersPage /> },
          { path: '/customers/import', element: <pages.CustomerImportPage /> },
          { path: '/customers/:id', element: <pages.CustomerPage /> },
          { path: '/segments', element: <pages.SegmentsPage /> },
          { path: '/segments/new', element: <pages.SegmentPage /> },
          { path: '/segments/:id', element: <pages.SegmentPage /> },
          { path: '/campaigns', element: <pages.CampaignsPage /> },
          { path: '/campaigns/new', element: <pages.CampaignEditPage /> },
          { path: '/campaigns/:id', element: <pages.CampaignPage /> },
          { path: '/campaigns/:id/edit', element: <pages.CampaignEditPage /> },
          { path: '/flows', element: <pages.FlowsPage /> },
          { path: '/flows/new', element: <pages.FlowEditPage /> },
          { path: '/flows/:id', element: <pages.FlowPage /> },
          { path: '/flows/:id/edit', element: <pages.FlowEditPage /> },
          { path: '/messages', element: <pages.MessagesPage /> },
          { path: '/assistant', element: <pages.AssistantPage /> },
          { path: '*', element: <pages.NotFoundPage /> },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
