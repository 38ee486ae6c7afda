import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createAwsClient } from '../aws/aws-client';

/**
 * Where secret config values are kept. Slipway writes each one once and keeps only its reference, which
 * the task definition passes to ECS as the container secret's `valueFrom`: ECS (the task execution role)
 * reads the value when it starts a task; no Slipway function ever reads it back.
 */
export type SecretStore = {
  /** Stores the value under a name of its own (never overwritten, so older releases keep theirs); its reference. */
  put: (secret: { appId: string; changeId: string; name: string; value: string }) => Promise<string>;
};

/** Every secret Slipway stores sits under this path, which its IAM policy names. */
export const SECRET_PATH_PREFIX = '/slipway/';

/** One parameter per app, change and var: a rollback's task definition refers to the value it had then. */
const secretParameterName = (secret: { appId: string; changeId: string; name: string }): string =>
  `${SECRET_PATH_PREFIX}${secret.appId}/${secret.changeId}/${secret.name}`;

/** AWS: SSM Parameter Store SecureString (encrypted with the account's aws/ssm key), referenced by name. */
const ssmSecretStore = (client = createAwsClient(SSMClient, { maxAttempts: 5, requestTimeoutMs: 5_000 })): SecretStore => ({
  put: async (secret) => {
    const name = secretParameterName(secret);
    // Overwrite false: a retry of the same change finds its parameter; anything else under the name is refused.
    await client
      .send(new PutParameterCommand({ Name: name, Value: secret.value, Type: 'SecureString', Overwrite: false, Tier: 'Standard' }))
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ParameterAlreadyExists')) throw error;
      });
    return name;
  },
});

/** The prefix of every local stand-in's reference, so nobody takes a local task definition's secret for AWS's. */
const LOCAL_SECRET_REFERENCE_PREFIX = 'local-secret-store:';

/**
 * The LOCAL SECRET STORE: `npm start`'s stand-in for Parameter Store, one file per secret under the data
 * dir (mode 0600). Same contract as AWS's: write once, return a reference. Without a data dir (tests) the
 * value is not kept at all: the ECS simulator keeps a task definition's `secrets` as given, never reading them.
 */
export const localSecretStore = (dir: string | undefined): SecretStore => ({
  put: async (secret) => {
    if (dir) {
      const file = join(dir, `${secretParameterName(secret)}.secret`);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, secret.value, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
    }
    return `${LOCAL_SECRET_REFERENCE_PREFIX}${secretParameterName(secret)}`;
  },
});

let store: SecretStore | undefined;

/** The process's secret store: Parameter Store, unless the local runtime set its stand-in. */
export const getSecretStore = (): SecretStore => {
  store ??= ssmSecretStore();
  return store;
};

export const useSecretStore = (next: SecretStore): void => {
  store = next;
};
