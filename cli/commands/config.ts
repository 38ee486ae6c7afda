import type { z } from 'zod';
import { CONFIG_VAR_NAME_PATTERN } from '../../shared/domain/config-vars';
import type { UpdateConfigVarsRequest } from '../../shared/api/config-vars';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { defineCommand, requireApp, withApp } from '../command';
import { usageError } from '../exit-codes';
import { paintStatus, printJson, printLine, printTable } from '../output';
import { versionLabel } from '../release-ref';

type ConfigChangeBody = z.input<ReturnType<typeof UpdateConfigVarsRequest>>;

const printConfig = (app: string, config: Record<string, string>, json: boolean) => {
  if (json) return printJson(config);
  printLine(`=== ${app} config vars`);
  printTable(['NAME', 'VALUE'], Object.entries(config).map(([name, value]) => [name, value]), 'No config vars.');
};

/** A change is a release of the current build: which one, so it can be followed (`releases:wait`) or rolled back. */
const printChange = (app: string, change: { config: Record<string, string>; release: ReleaseResponse | null }, json: boolean) => {
  printConfig(app, change.config, json);
  if (json) return;
  const { release } = change;
  if (!release) return printLine(`No release made: ${app} has no current release yet; its first release runs with this config.`);
  printLine(`${release.description} on ${app}: ${versionLabel(release)} (${release.id}) ${paintStatus(release.status)}`);
};

const config = defineCommand({
  command: 'config',
  describe: "an app's config vars (secret values masked)",
  examples: [['$0 config -a web', "web's config vars"]],
  builder: (argv) => withApp(argv),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    printConfig(app, await api.configVars(app), json);
  },
});

/** `NAME=value` pairs; the value may itself hold `=`. */
const parseAssignments = (pairs: readonly string[], secret: boolean): ConfigChangeBody =>
  Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      const name = at < 0 ? pair : pair.slice(0, at);
      if (at < 0 || !CONFIG_VAR_NAME_PATTERN.test(name)) throw usageError(`Expected NAME=value with a POSIX name, got '${pair}'.`);
      const value = pair.slice(at + 1);
      return [name, secret ? { value, secret: true } : value];
    }),
  );

const configSet = defineCommand({
  command: 'config:set <assignments..>',
  describe: 'set config vars: a new release of the current build with them',
  examples: [
    ['$0 config:set LOG_LEVEL=debug FEATURE_X=on -a web', 'set two vars in one release'],
    ['$0 config:set API_TOKEN=s3cr3t --secret -a web', 'a secret: kept in the secret store, never shown again'],
  ],
  builder: (argv) =>
    withApp(argv)
      .positional('assignments', { type: 'string', array: true, demandOption: true, describe: 'NAME=value pairs' })
      .option('secret', { type: 'boolean', default: false, describe: 'store the values as secrets' }),
  run: async (args, { api, json, idempotencyKey }) => {
    const app = requireApp(args);
    printChange(app, await api.changeConfigVars(app, parseAssignments(args.assignments, args.secret), idempotencyKey), json);
  },
});

const configUnset = defineCommand({
  command: 'config:unset <names..>',
  describe: 'unset config vars: a new release of the current build without them',
  examples: [['$0 config:unset OLD_FLAG -a web', 'unset one var']],
  builder: (argv) => withApp(argv).positional('names', { type: 'string', array: true, demandOption: true, describe: 'var names' }),
  run: async (args, { api, json, idempotencyKey }) => {
    const app = requireApp(args);
    const change: ConfigChangeBody = Object.fromEntries(args.names.map((name) => [name, null]));
    printChange(app, await api.changeConfigVars(app, change, idempotencyKey), json);
  },
});

export const configCommands = [config, configSet, configUnset];
