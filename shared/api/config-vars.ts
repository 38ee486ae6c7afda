import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import {
  CONFIG_VAR_NAME_PATTERN,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_VARS,
  MAX_CONFIG_VAR_NAME_BYTES,
  MAX_CONFIG_VAR_VALUE_BYTES,
  type ConfigChange,
} from '../domain/config-vars';
import { shortText, userRecord } from './common';
import { ReleaseReference } from './path-parameters';

export const ConfigVarName = builtOnFirstUse(() =>
  z
    .string()
    .check(
      z.maxLength(MAX_CONFIG_VAR_NAME_BYTES),
      z.regex(CONFIG_VAR_NAME_PATTERN, 'must be a POSIX environment variable name: a letter or _, then letters, digits or _'),
      z.meta({ id: 'ConfigVarName', example: 'DATABASE_URL' }),
    ),
);

const ConfigVarValue = builtOnFirstUse(() => shortText(MAX_CONFIG_VAR_VALUE_BYTES));

const ConfigVarsBody = builtOnFirstUse(() =>
  userRecord(
    ConfigVarName(),
    z.union([
      ConfigVarValue().check(z.meta({ description: 'Set this plain value (shown to anyone who may read the app).' })),
      z.null().check(z.meta({ description: 'Unset the var.' })),
      z
        .strictObject({ value: ConfigVarValue(), secret: z.boolean() })
        .check(z.meta({ description: 'Set a value; `secret: true` keeps it in the secret store and never shows it again.' })),
    ]),
  ),
);

export const UpdateConfigVarsRequest = builtOnFirstUse(() =>
  z
    .pipe(
      ConfigVarsBody(),
      z.transform(
        (body: z.output<ReturnType<typeof ConfigVarsBody>>): ConfigChange =>
          Object.fromEntries(
            Object.entries(body).map(([name, entry]) => [
              name,
              entry === null ? null : typeof entry === 'string' ? { value: entry, secret: false } : entry,
            ]),
          ),
      ),
    )
    .check(
      z.meta({
        id: 'UpdateConfigVarsRequest',
        description: `Vars to set (a value) and unset (null), ${MAX_CONFIG_VARS} vars and ${MAX_CONFIG_BYTES} bytes of UTF-8 at most in all. Any POSIX name is a var, __proto__ and constructor too.`,
        example: { LOG_LEVEL: 'debug', API_TOKEN: { value: 's3cr3t', secret: true }, OLD_FLAG: null },
      }),
    ),
);

export const ConfigDiffQuery = builtOnFirstUse(() =>
  z.strictObject({
    against: ReleaseReference.check(z.meta({ description: 'The release (id or version) to compare with, e.g. the current one before rolling back to {release}.' })),
    access_token: z.optional(z.string()),
  }),
);
