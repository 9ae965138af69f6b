// Types generated from the API's OpenAPI schema (`npm run gen:api`); never edit api-types.ts.
import type { components } from './api-types';

export type Schemas = components['schemas'];

/** Every list endpoint answers `{data, next_cursor}`. */
export type Page<T> = { data: T[]; next_cursor: string | null };

/**
 * A schema by name, or `Fallback` while the endpoint has not landed in the generated file yet.
 * Once the backend serves the schema, the generated type wins automatically.
 */
export type SchemaOr<K extends string, Fallback> = K extends keyof Schemas ? Schemas[K] : Fallback;
