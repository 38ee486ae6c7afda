import { CHECK_STATES } from '../../shared/domain/model';
import { defineCommand, requireApp, withApp } from '../command';
import { EXIT } from '../exit-codes';
import { age, paintStatus, printJson, printLine, printTable } from '../output';
import { currentRelease, parseReleaseRef, versionLabel } from '../release-ref';
import type { SlipwayApi } from '../api';

const releaseOption = { type: 'string', describe: 'version (v3) or release id (default: the current release)' } as const;

const releaseIdOf = async (api: SlipwayApi, app: string, ref: string | undefined) =>
  ref ? parseReleaseRef(ref) : (await currentRelease(api, app)).id;

const statuses = defineCommand({
  command: 'statuses',
  describe: "a release's status checks and their aggregate state; exits 1 when the checks failed",
  examples: [['$0 statuses -a web', 'checks on the current release'], ['$0 statuses -a web --release v3', 'checks on v3']],
  builder: (argv) => withApp(argv).option('release', { alias: 'r', ...releaseOption }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const checks = await api.statuses(app, await releaseIdOf(api, app, args.release));
    const failed = checks.state === 'failure' || checks.state === 'error';
    if (json) printJson(checks);
    else {
      printLine(`=== ${app} ${versionLabel(checks.release)} checks: ${paintStatus(checks.state)}`);
      printTable(
        ['CONTEXT', 'STATE', 'NAME', 'DESCRIPTION', 'UPDATED'],
        checks.statuses.map((check) => [check.context, paintStatus(check.state), check.name, check.description ?? '', age(check.updated_at)]),
        'No status checks on this release.',
      );
    }
    return failed ? EXIT.failed : EXIT.succeeded;
  },
});

const statusesSet = defineCommand({
  command: 'statuses:set <context> <state>',
  describe: 'post (or update) a status check on a release',
  examples: [
    ['$0 statuses:set ci/unit success -a web', 'mark the current release as passing ci/unit'],
    ['$0 statuses:set qa/e2e failure -a web -r v3 --url https://ci.example.com/run/42', 'a failed check on v3, with a link'],
  ],
  builder: (argv) =>
    withApp(argv)
      .positional('context', { type: 'string', demandOption: true, describe: 'the check, e.g. ci/unit' })
      .positional('state', { choices: CHECK_STATES, demandOption: true, describe: 'the check state' })
      .option('release', { alias: 'r', ...releaseOption })
      .option('name', { type: 'string', describe: 'human name of the check (default: the context)' })
      .option('description', { type: 'string', describe: 'one line about the result' })
      .option('url', { type: 'string', describe: 'link to the run (target_url)' }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const check = await api.postStatus(app, await releaseIdOf(api, app, args.release), {
      context: args.context,
      state: args.state,
      name: args.name ?? args.context,
      description: args.description,
      target_url: args.url,
    });
    if (json) return printJson(check);
    printLine(`${check.context}: ${paintStatus(check.state)}`);
  },
});

export const statusCommands = [statuses, statusesSet];
