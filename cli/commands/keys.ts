import { ROLES } from '../../shared/domain/access';
import { commaList, defineCommand } from '../command';
import { paint, printJson, printLine, printTable } from '../output';

const keys = defineCommand({
  command: 'keys',
  describe: 'list API keys (ids, roles, apps; never a key) [admin]',
  examples: [['$0 keys', 'every key and whether it is revoked']],
  run: async (_args, { api, json }) => {
    const all = await api.keys();
    if (json) return printJson(all);
    printTable(
      ['ID', 'ROLE', 'APPS', 'EMAIL', 'REVOKED'],
      all.map((key) => [key.id, key.role, key.apps?.join(',') ?? '(all)', key.email, key.revoked_at ?? '']),
      'No API keys.',
    );
  },
});

const keysCreate = defineCommand({
  command: 'keys:create',
  describe: 'mint an API key; it is shown this once only [admin]',
  examples: [
    ['$0 keys:create --role developer --apps web,api', 'a developer key for two apps'],
    ['$0 keys:create --role pipeline --email ci@example.com', 'a key for the CI system'],
  ],
  builder: (argv) =>
    argv
      .option('role', { choices: ROLES, demandOption: true, describe: 'what the key may do' })
      .option('apps', { type: 'string', describe: 'comma-separated apps it is limited to (default: all)' })
      .option('email', { type: 'string', describe: 'who holds it; recorded as the user of what it does' }),
  run: async (args, { api, json }) => {
    const created = await api.createKey({ role: args.role, apps: args.apps === undefined ? undefined : commaList(args.apps), email: args.email });
    if (json) return printJson(created);
    printLine(`Created ${created.role} key ${created.id}. It is shown only this once:`);
    printLine();
    printLine(`  ${paint('bold', created.key)}`);
  },
});

const keysRevoke = defineCommand({
  command: 'keys:revoke <id>',
  describe: 'revoke an API key: it gets 401 from then on [admin]',
  examples: [['$0 keys:revoke 0f8fad5b-d9cb-469f-a165-70867728950e', 'revoke that key']],
  builder: (argv) => argv.positional('id', { type: 'string', demandOption: true, describe: 'key id (from `slipway keys`)' }),
  run: async (args, { api, json }) => {
    const revoked = await api.revokeKey(args.id);
    if (json) return printJson(revoked);
    printLine(`Revoked ${revoked.id} (${revoked.role}).`);
  },
});

export const keyCommands = [keys, keysCreate, keysRevoke];
