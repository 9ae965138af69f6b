// The end-to-end scenarios, in order: each may rely on what the previous ones created.
import assert from 'node:assert/strict';

const CSV = 'email,first_name,last_name,country\nlena.e2e@example.com,Lena,Berg,SE\nbroken-email,Bad,Row,SE\n';

async function text(locator) {
  return (await locator.textContent())?.trim() ?? '';
}

/** Waits until `read()` satisfies `ok`, polling; fails with the last value seen. */
async function until(what, read, ok, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs / 1000}s`);
}

export const scenarios = [
  [
    'login: an anonymous visit goes to login; bad input is refused with the server message',
    async ({ page, stack, shoot }) => {
      await page.goto('/customers');
      await page.waitForURL(/\/login\?next=%2Fcustomers/);
      await shoot('login');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('Enter your email address').waitFor();
      await page.getByLabel('Email').fill(stack.email);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('wrong email or password').waitFor();
      assert.equal(await page.getByLabel('Email').inputValue(), stack.email, 'the form keeps its content');
      await page.getByLabel('Password').fill(stack.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/customers$/);
    },
  ],
  [
    'dashboard: totals and charts',
    async ({ page, shoot }) => {
      await page.getByRole('link', { name: 'Dashboard' }).first().click();
      const customers = page.locator('div', { hasText: /^Customers$/ }).locator('xpath=following-sibling::div[1]');
      await until('customer count', () => text(customers.first()), (v) => Number(v.replace(/,/g, '')) >= 40);
      await page.getByRole('img', { name: 'Revenue' }).waitFor();
      await shoot('dashboard');
    },
  ],
  [
    'customers: search, profile, consent toggle, CSV import with rejects',
    async ({ page, shoot }) => {
      await page.getByRole('link', { name: 'Customers' }).first().click();
      await page.locator('tbody tr').first().waitFor();
      await shoot('customers');
      const email = await text(page.locator('tbody tr').first().locator('td').nth(1));
      await page.getByLabel('Search customers').fill(email);
      await until('search results', () => page.locator('tbody tr').count(), (n) => n === 1);
      await page.locator('tbody tr a').first().click();
      await page.getByRole('heading', { name: 'Consent' }).waitFor();
      const toggle = page.getByLabel('Marketing email');
      const before = await toggle.isChecked();
      const saved = page.waitForResponse((r) => r.url().includes('/preferences') && r.status() === 200);
      await toggle.click();
      await saved;
      await until('consent toggled', () => toggle.isChecked(), (v) => v === !before);
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      await shoot('customer');

      await page.goto('/customers/import');
      await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByRole('heading', { name: /Rejected rows/ }).waitFor();
      assert.equal(await text(page.locator('tbody tr td').first()), '3', 'the bad line is listed by number');
      await shoot('customer-import');
    },
  ],
  [
    'segments: build nested groups in the builder with a live count, then save',
    async ({ page, shoot, state }) => {
      await page.goto('/segments');
      await page.getByRole('link', { name: 'New segment' }).click();
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.getByText('Give the segment a name').waitFor();
      await page.getByText('add at least one condition').waitFor();

      await page.getByLabel('Name', { exact: true }).fill('E2E opted-in buyers');
      await page.getByLabel('Add condition').first().selectOption('total_spent');
      await page.getByLabel('Operator').first().selectOption('gte');
      await page.getByLabel('Value').first().fill('0');
      await page.getByRole('button', { name: '+ Add group' }).first().click();
      const inner = page.getByTestId('group').nth(1);
      await inner.getByLabel('Add condition').selectOption('email_opt_in');
      await inner.getByLabel('Add condition').selectOption('country');
      await inner.getByLabel('Operator').nth(1).selectOption('is_set');
      const count = await until(
        'live count',
        () => text(page.getByTestId('preview-count')).catch(() => ''),
        (v) => Number(v.replace(/,/g, '')) > 0,
      );
      state.audience = Number(count.replace(/,/g, ''));
      await shoot('segment-builder');
      await page.getByRole('button', { name: 'Save segment' }).click();
      await page.waitForURL(/\/segments\/\d+$/);
      await page.goto('/segments');
      await page.getByRole('link', { name: 'E2E opted-in buyers' }).waitFor();
      await shoot('segments');
    },
  ],
  [
    'campaigns: a refused save keeps the form; create, launch, progress reaches 100 %',
    async ({ page, shoot, state }) => {
      await page.goto('/campaigns/new');
      await page.getByLabel('Audience (segment)').selectOption({ label: `E2E opted-in buyers (${state.audience})` });
      await page.getByLabel('Subject').fill('Hello {{ customer.first_name }}, a treat for you');
      await page.getByLabel('Name', { exact: true }).fill('x'.repeat(201)); // longer than the API allows
      await page.getByRole('button', { name: 'Save campaign' }).click();
      await page.getByText(/at most 200 characters/).first().waitFor();
      assert.equal(await page.getByLabel('Subject').inputValue(), 'Hello {{ customer.first_name }}, a treat for you');
      assert.equal((await page.getByLabel('Name', { exact: true }).inputValue()).length, 201);
      await page.getByLabel('Name', { exact: true }).fill('E2E treat');
      await until('rendered preview', () => text(page.getByTestId('template-preview')), (v) => /Hello \w+, a treat/.test(v));
      await shoot('campaign-editor');
      await page.getByRole('button', { name: 'Save campaign' }).click();
      await page.waitForURL(/\/campaigns\/\d+$/);
      state.campaignUrl = page.url();
      await page.getByRole('button', { name: 'Launch now' }).click();
      await until('progress', () => text(page.getByTestId('progress-label')).catch(() => ''), (v) => v.startsWith('100 %'), 90_000);
      await until('status', () => page.locator('[data-status]').first().getAttribute('data-status'), (s) => s === 'completed');
      await shoot('campaign');
      await page.goto('/campaigns');
      await page.getByRole('link', { name: 'E2E treat' }).waitFor();
      await shoot('campaigns');
    },
  ],
  [
    'messages: the campaign\'s messages are in the outbox, rendered as received',
    async ({ page, shoot, state }) => {
      await page.goto(state.campaignUrl);
      await page.getByRole('link', { name: /See the messages/ }).click();
      await page.getByTestId('message-row').first().waitFor();
      const rows = await page.getByTestId('message-row').count();
      assert.equal(rows, Math.min(state.audience, 50), 'one message per audience member');
      const sent = await page.locator('[data-testid=message-row] [data-status=sent]').count();
      assert.ok(sent > 0, 'messages were sent to the outbox');
      await page.locator('[data-testid=message-row]:has([data-status=sent])').first().click();
      const frame = page.frameLocator('iframe[title="Message as received"]');
      await frame.getByText(/Hello/).first().waitFor();
      await shoot('messages');
    },
  ],
  [
    'flows: create, activate, enrol a customer, the run shows its current step',
    async ({ page, shoot }) => {
      await page.goto('/flows/new');
      await page.getByRole('button', { name: 'Save flow' }).click();
      await page.getByText('Give the flow a name').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('E2E welcome');
      await page.getByLabel('Add step').first().selectOption('EXIT');
      assert.equal(await page.getByTestId('flow-step').count(), 4);
      await page.getByRole('button', { name: 'Move up' }).nth(3).click(); // EXIT before the push…
      await page.getByRole('button', { name: 'Delete step' }).nth(3).click(); // …then drop the push
      const kinds = await page.getByTestId('flow-step').locator('span.font-medium').allTextContents();
      assert.deepEqual(kinds, ['Send email', 'Wait', 'Exit']);
      await shoot('flow-editor');
      await page.getByRole('button', { name: 'Save flow' }).click();
      await page.waitForURL(/\/flows\/\d+$/);
      await page.getByRole('button', { name: 'Activate' }).click();
      await until('flow status', () => page.locator('[data-status]').first().getAttribute('data-status'), (s) => s === 'active');
      await page.getByLabel('Customer ids').fill('1');
      await page.getByRole('button', { name: 'Enrol' }).click();
      await page.getByText('1 enrolled').waitFor();
      const step = await until(
        'current step',
        () => text(page.getByTestId('current-step').first()).catch(() => ''),
        (v) => v !== '' && v !== '—',
      );
      assert.equal(step, 's2', 'the run waits at the WAIT step');
      await shoot('flow');
      await page.goto('/flows');
      await page.getByRole('link', { name: 'E2E welcome' }).waitFor();
      await shoot('flows');
    },
  ],
  [
    'assistant: a proposal applies with one click',
    async ({ page, shoot }) => {
      await page.goto('/assistant');
      await page.getByLabel('Message').fill('Build a segment of customers in the US who spent over 100');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('proposal').first().waitFor({ timeout: 30_000 });
      await shoot('assistant');
      const apply = page.getByRole('button', { name: 'Apply segment' }).first();
      if (await apply.count()) {
        await apply.click();
        await page.waitForURL(/\/segments\/new$/);
        await page.getByTestId('criteria-sentence').waitFor();
      }
    },
  ],
  [
    'dashboard after sending: the figures include the campaign and the flow',
    async ({ page, shoot }) => {
      await page.goto('/');
      const sent = page.locator('div', { hasText: /^Messages sent$/ }).locator('xpath=following-sibling::div[1]');
      await until('messages sent', () => text(sent.first()), (v) => Number(v.replace(/,/g, '')) > 0);
      await shoot('dashboard');
    },
  ],
  [
    'session: a 401 returns to the login page',
    async ({ page, context }) => {
      await page.goto('/messages');
      await page.getByTestId('message-row').first().waitFor();
      await context.clearCookies();
      await page.getByRole('link', { name: 'Customers' }).first().click();
      await page.waitForURL(/\/login\?next=/);
    },
  ],
];
