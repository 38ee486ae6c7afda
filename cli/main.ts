import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { appDeploymentCommands } from './commands/app-deployment';
import { appCommands } from './commands/apps';
import { configCommands } from './commands/config';
import { hookCommands } from './commands/hooks';
import { keyCommands } from './commands/keys';
import { login, logout, whoami } from './commands/login';
import { pipelineCommands } from './commands/pipelines';
import { releaseActionCommands } from './commands/release-actions';
import { releaseCommands } from './commands/releases';
import { statusCommands } from './commands/statuses';
import { ApiRefusal, CliError, EXIT, EXIT_CODES_HELP, usageError } from './exit-codes';
import { printError, printJson } from './output';

/** package.json's version, put in by the build (cli/build.ts): yargs would search the disk for it at every start. */
declare const SLIPWAY_VERSION: string;

const commands = [
  whoami,
  ...appCommands,
  ...appDeploymentCommands,
  ...releaseCommands,
  ...releaseActionCommands,
  ...configCommands,
  ...statusCommands,
  ...pipelineCommands,
  ...hookCommands,
  ...keyCommands,
];

/** Each command's other names (Heroku's and Akkeris' spellings), by the name it is listed under. */
const ALIASES: [string, string[]][] = commands.map((command) => [String(command.command).split(' ')[0] ?? '', [command.aliases ?? []].flat()]);

const escapedForZsh = (name: string) => name.replaceAll(':', '\\:');

/**
 * yargs completes command names, not their aliases: each alias follows its command, written as that shell's
 * completion is (bash: the name; zsh: `name:description`, the name's colons escaped).
 */
const withAliases = (completions: string[]) =>
  completions.flatMap((completion) => {
    for (const [name, aliases] of ALIASES) {
      if (completion === name) return [completion, ...aliases];
      const zsh = `${escapedForZsh(name)}:`;
      if (completion.startsWith(zsh)) return [completion, ...aliases.map((alias) => `${escapedForZsh(alias)}:${completion.slice(zsh.length)}`)];
    }
    return [completion];
  });

const parser = yargs(hideBin(process.argv))
  .scriptName('slipway')
  .usage('$0 <command> [options]\n\nRelease, watch, roll back and promote apps on Slipway.')
  .option('profile', { type: 'string', describe: 'stored login to use (default: $SLIPWAY_PROFILE or "default")' })
  .option('json', { type: 'boolean', default: false, describe: "print the API's objects as one JSON document" })
  .command(login)
  .command(logout)
  .command(commands)
  .completion('completion', 'print a bash/zsh completion script: slipway completion >> ~/.bashrc', (
    _current: string,
    _argv: unknown,
    completeAsUsual: (onCompleted: (error: Error | null, completions: string[] | undefined) => void) => void,
    done: (completions: string[]) => void,
  ) => completeAsUsual((_error, completions) => done(withAliases(completions ?? []))),
  )
  .example('$0 deploy registry/web:v2 -a web --wait', 'release an image and follow its rollout')
  .example('$0 rollback -a web', 'back to the previous good release')
  .epilogue(
    `Environment: SLIPWAY_URL, SLIPWAY_API_KEY (override the stored login), SLIPWAY_APP (default -a), SLIPWAY_PROFILE, NO_COLOR.\n\n${EXIT_CODES_HELP}`,
  )
  .demandCommand(1, 'Give a command; `slipway --help` lists them.')
  .recommendCommands()
  .strict()
  .help()
  .alias('help', 'h')
  .version(SLIPWAY_VERSION)
  .wrap(Math.min(120, process.stdout.columns ?? 100))
  .fail((message, error) => {
    throw error ?? usageError(message);
  });

const report = (error: unknown, json: boolean) => {
  if (!(error instanceof CliError)) {
    printError(error instanceof Error ? error.message : String(error));
    return EXIT.timedOutOrUnknown;
  }
  if (json && error instanceof ApiRefusal) printJson(error.document);
  printError(error.message);
  if (error.code === EXIT.usage && !(error instanceof ApiRefusal)) process.stderr.write('See `slipway --help`.\n');
  return error.code;
};

// Read from the raw arguments: a usage error happens before yargs has parsed them.
const json = hideBin(process.argv).includes('--json');
// No top-level await: the build is CommonJS (cli/build.ts). yargs may also throw before it returns a promise.
const run = async () => {
  try {
    await parser.parseAsync();
  } catch (error) {
    process.exitCode = report(error, json);
  }
};
void run();
