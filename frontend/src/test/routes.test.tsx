// @vitest-environment jsdom
// Real routes rendered in jsdom against the real API (see global-setup.ts): the pages load their
// data through the same modules and show it.
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { RouterProvider, createMemoryRouter } from 'react-router';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { routes } from '@/app/router';
import { api } from '@/lib/api-client';
import { makeQueryClient } from '@/lib/query-client';

import { useRealApi } from './use-real-api';

beforeAll(() => {
  useRealApi();
  api.defaults.adapter = 'http'; // node's HTTP client: jsdom's XHR would apply browser CORS
});
afterEach(cleanup);

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <QueryClientProvider client={makeQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

describe('routes', () => {
  it('the customers page lists customers and opens one', async () => {
    const router = renderAt('/customers');
    const table = await screen.findByRole('table', {}, { timeout: 10_000 });
    const first = within(table).getAllByRole('link')[0];
    fireEvent.click(first);
    await screen.findByRole('heading', { name: 'Consent' }, { timeout: 10_000 });
    expect(router.state.location.pathname).toMatch(/^\/customers\/\d+$/);
  });

  it('the segment builder offers the served fields and counts live', async () => {
    renderAt('/segments/new');
    const add = await screen.findByLabelText('Add condition', {}, { timeout: 10_000 });
    fireEvent.change(add, { target: { value: 'total_spent' } });
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'gte' } });
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: '0' } });
    const count = await screen.findByTestId('preview-count', {}, { timeout: 10_000 });
    expect(Number(count.textContent?.replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('an unknown id shows the not-found page, not a crash', async () => {
    renderAt('/campaigns/abc');
    await screen.findByText('This page does not exist', {}, { timeout: 10_000 });
  });
});
