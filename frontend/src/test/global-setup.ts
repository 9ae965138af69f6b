// Starts the real API (temp SQLite, migrated and seeded; no Temporal) for the API module tests.
import type { TestProject } from 'vitest/node';

// @ts-expect-error - a plain ES module shared with the e2e runner
import { startStack } from '../../e2e/stack.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    api: { baseURL: string; apiKey: string; email: string; password: string };
  }
}

export default async function setup(project: TestProject) {
  const stack = await startStack({ temporal: false, customers: 30 });
  project.provide('api', { baseURL: stack.baseURL, apiKey: stack.apiKey, email: stack.email, password: stack.password });
  return () => stack.stop();
}
