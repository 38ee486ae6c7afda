import type { CommandModule } from 'yargs';
import { defineCommand, type GlobalArgs } from '../command';
import { EXIT, usageError } from '../exit-codes';
import { printFields, printJson, printLine } from '../output';

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

/** Needs no connection either: it only forgets one. */
export const logout: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'logout',
  describe: "forget a profile's stored endpoint and API key",
  builder: (argv) => argv.example('$0 logout', 'forget the default profile').example('$0 logout --profile staging', 'forget another'),
  handler: async (args) => {
    const { configPath, profileName, removeProfile } = await import('../config');
    const profile = profileName(args.profile);
    const removed = await removeProfile(profile);
    if (args.json) printJson({ profile, url: removed?.url ?? null, config: configPath() });
    else if (!removed) printLine(`No login stored for profile "${profile}" in ${configPath()}: nothing to forget.`);
    else printLine(`Logged out of ${removed.url}: profile "${profile}" removed from ${configPath()}.`);
    // The environment still wins over the file (CI jobs log in that way); say so rather than seem logged out.
    if (!args.json && process.env.SLIPWAY_API_KEY) printLine('SLIPWAY_API_KEY is still set in this environment: commands go on using it.');
    process.exitCode = EXIT.succeeded;
  },
};

export const whoami = defineCommand({
  command: 'whoami',
  describe: 'who the API key is: its holder, role and apps, and the endpoint it is used on',
  examples: [['$0 whoami', 'the key of the current profile (or SLIPWAY_API_KEY)']],
  run: async (_args, { api, endpoint, json }) => {
    const key = await api.whoami();
    if (json) return printJson(key);
    printLine(`=== ${key.email}`);
    printFields([
      ['Endpoint', endpoint],
      ['Role', key.role],
      ['Apps', key.apps?.join(', ') ?? 'all'],
      ['Key', key.key_id],
    ]);
  },
});
