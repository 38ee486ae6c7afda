import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { AppName, IdOrName } from '../../shared/api/common';
import { checkPathParameters } from '../../shared/api/path-parameters';

const GUID_LOOKING_NAME = 'abcdef01-2345-6789-abcd-ef0123456789';

describe('app and pipeline names', () => {
  it('take a lowercase name, never one that looks like an id: names and ids share one path segment', () => {
    expect(z.safeParse(AppName, 'billing-api').success).toBe(true);
    const refused = z.safeParse(AppName, GUID_LOOKING_NAME);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.message)).toEqual(['must not look like a UUID (names and ids share one path segment)']);
  });

  it('address an app by id or by name in a path, and nothing else', () => {
    expect(z.safeParse(IdOrName, '3f1b6a52-5d0c-4a8e-9f2e-1c7d2b9a4e10').success).toBe(true);
    expect(z.safeParse(IdOrName, 'billing-api').success).toBe(true);
    expect(z.safeParse(IdOrName, 'Billing API').success).toBe(false);
    expect(checkPathParameters({ app: 'Billing API' }).refusal?.kind).toBe('not_found');
    expect(checkPathParameters({ app: 'billing-api' })).toEqual({ params: { app: 'billing-api' } });
  });
});
