import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../command';
import { EXIT, usageError } from '../exit-codes';
import { printJson, printLine } from '../output';

type LoginArgs = GlobalArgs & { url?: string };

/** Needs no stored connection, so it is not built with defineCommand. */
export const login: CommandModule<GlobalArgs, LoginArgs> = {
  command: 'login',
  describe: 'store an endpoint and API key (checked first) for a profile',
  builder: (argv) =>
    argv
      .option('url', { type: 'string', describe: 'Slipway endpoint (asked for when not given)' })
      .example('$0 login', 'asks for the endpoint and the key')
      .example('$0 login --profile staging --url https://slipway.staging.example.com', 'a second profile'),
  handler: async (args) => {
    // Loaded once it runs, as a session is: --help needs none of it.
    const [{ configPath, profileName, saveProfile }, { openPrompts }, { apiFor }] = await Promise.all([
      import('../config'),
      import('../prompt'),
      import('../session'),
    ]);
    const profile = profileName(args.profile);
    const prompts = openPrompts();
    const url = args.url ?? (await prompts.ask('Slipway URL: '));
    const key = await prompts.ask('API key: ', { secret: true });
    prompts.close();
    if (!url || !URL.canParse(url)) throw usageError(`"${url}" is not a URL, e.g. http://127.0.0.1:5000`);
    if (!key) throw usageError('no API key given');
    // One call proves both the endpoint and the key before anything is stored.
    const apps = await apiFor({ url, key }).apps();
    const path = await saveProfile(profile, { url, key });
    if (args.json) printJson({ profile, url, config: path });
    else printLine(`Logged in to ${url} as profile "${profile}" (${apps.length} apps visible). Saved in ${configPath()}.`);
    process.exitCode = EXIT.succeeded;
  },
};
