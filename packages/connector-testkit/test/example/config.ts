import { z } from 'zod';

/** The Example ERP's connection settings (a tenant's `connection:` block). */
export const ExampleConfig = z.strictObject({
  /** The API's base URL, e.g. https://api.example-erp.test. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.example-erp.test' }),
  /** The API key; put it in the config as ${env:EXAMPLE_ERP_API_KEY}, never inline. */
  apiKey: z.string().min(1, 'must not be empty'),
  /** Payments per import page (1 to 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
});
export type ExampleConfig = z.infer<typeof ExampleConfig>;
