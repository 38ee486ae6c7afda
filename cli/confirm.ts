import type { Argv } from 'yargs';
import { usageError } from './exit-codes';

/** `--yes` and Heroku's `--confirm APP`, for the commands that undo something people cannot take back. */
export const withConfirmation = <T>(argv: Argv<T>) =>
  argv
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do it without asking' })
    .option('confirm', { type: 'string', describe: 'do it without asking, if APP is the app named (as Heroku spells it)' });

/**
 * Asks `question` (naming what is about to happen) on stderr unless `--yes` or `--confirm APP` answered it; only
 * `y` or `yes` goes on. A piped run with no answer is refused, never taken as yes.
 */
export const confirmOrRefuse = async (
  args: { yes: boolean; confirm?: string | undefined },
  app: string,
  question: string,
  refusal: string,
) => {
  if (args.confirm !== undefined && args.confirm !== app) throw usageError(`--confirm ${args.confirm} does not name the app (${app}): ${refusal}`);
  if (args.yes || args.confirm === app) return;
  const { openPrompts } = await import('./prompt');
  const prompts = openPrompts();
  const answer = await prompts.ask(`${question} [y/N] `);
  prompts.close();
  if (!/^y(es)?$/i.test(answer)) throw usageError(`${refusal} (answer y, or pass --yes or --confirm ${app})`);
};
