import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT, usageError, type ExitCode } from './exit-codes';
import type { Session } from './session';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, type WaitOptions } from './wait';

/** Options every command takes (declared once on the root parser). */
export type GlobalArgs = { profile?: string; json: boolean };

type CommandSpec<A> = {
  command: string;
  /** Other names it answers to: the spellings of the Heroku and Akkeris CLIs. */
  aliases?: string[];
  describe: string;
  examples: [string, string][];
  builder?: (argv: Argv<GlobalArgs>) => Argv<A>;
  run: (args: ArgumentsCamelCase<A & GlobalArgs>, session: Session) => Promise<ExitCode | void>;
};

/** A command as the root parser registers it; its own builder decides what its handler receives. */
export type SlipwayCommand = CommandModule<GlobalArgs, GlobalArgs>;

/** A yargs command whose action gets a session and whose result becomes the exit code. */
export const defineCommand = <A>(spec: CommandSpec<A>): SlipwayCommand => {
  const command: CommandModule<GlobalArgs, A & GlobalArgs> = {
    command: spec.command,
    aliases: spec.aliases ?? [],
    describe: spec.describe,
    builder: (argv) => {
      const built = (spec.builder ? spec.builder(argv) : argv) as Argv<A & GlobalArgs>;
      return spec.examples.reduce((withExamples, [example, description]) => withExamples.example(example, description), built);
    },
    handler: async (args) => {
      const { openSession } = await import('./session');
      process.exitCode = (await spec.run(args, await openSession(args))) ?? EXIT.succeeded;
    },
  };
  // yargs hands each handler what that command's builder declared; the root parser only needs the common part.
  return command as unknown as SlipwayCommand;
};

/** `-a/--app`, defaulting to SLIPWAY_APP as CI jobs set it. */
export const withApp = <T>(argv: Argv<T>) =>
  argv.option('app', {
    alias: 'a',
    type: 'string',
    describe: 'app name or id (default: $SLIPWAY_APP)',
    default: process.env.SLIPWAY_APP,
    defaultDescription: '$SLIPWAY_APP',
  });

export const requireApp = (args: { app?: string | undefined }) => {
  if (!args.app) throw usageError('Which app? Give -a/--app <name> or set SLIPWAY_APP.');
  return args.app;
};

export const withTimeout = <T>(argv: Argv<T>) =>
  argv.option('timeout', { type: 'number', default: DEFAULT_WAIT_TIMEOUT_SECONDS, describe: 'seconds to wait before giving up (exit 3)' });

/** `--wait` and `--timeout`, for the commands that start rollouts. */
export const withWait = <T>(argv: Argv<T>) =>
  withTimeout(argv).option('wait', { alias: 'w', type: 'boolean', default: false, describe: 'follow the rollout until it settles; the exit code tells how it ended' });

export const waitOptions = (args: { timeout: number }, session: Session): WaitOptions => ({
  timeoutSeconds: args.timeout,
  stream: session.json ? process.stderr : process.stdout,
});

/** `a, b,c` as given to --to, --checks and --apps. */
export const commaList = (text: string | undefined) =>
  text ? text.split(',').map((item) => item.trim()).filter(Boolean) : [];
