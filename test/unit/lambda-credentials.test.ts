import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../shared/aws/lambda-credentials';

afterEach(() => vi.unstubAllEnvs());

describe('Lambda credentials', () => {
  it("are the function role's, read from the environment Lambda sets", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fail loudly rather than search elsewhere when the environment has none', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    await expect(defaultProvider()()).rejects.toThrow();
  });
});
