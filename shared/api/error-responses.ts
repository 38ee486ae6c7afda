import * as z from 'zod/mini';

/** What every refusal answers (common.ts's errorBodyOf makes it): apart, so that no function constructs it at a cold start. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
    id: z.string().check(z.meta({ description: 'The same as error.code, where Heroku-style clients look for it.' })),
    message: z.string().check(z.meta({ description: 'The same as error.message, where Heroku-style clients look for it.' })),
  })
  .register(z.globalRegistry, { id: 'Error' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
