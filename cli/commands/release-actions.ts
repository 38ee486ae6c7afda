import type { Argv } from 'yargs';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { gateWords } from '../../shared/api/rollout-words';
import type { ReleaseAction } from '../../shared/domain/release-actions';
import type { SlipwayApi } from '../api';
import { defineCommand, requireApp, waitOptions, withApp, withWait } from '../command';
import { confirmOrRefuse, withConfirmation } from '../confirm';
import { EXIT, usageError } from '../exit-codes';
import { printJson, printLine } from '../output';
import { parseReleaseRef, versionLabel } from '../release-ref';
import type { Session } from '../session';
import { exitCodeOf, waitForRelease } from '../wait';

type Target = Pick<ReleaseResponse, 'id' | 'version'>;

/** The release named, or the one the app is rolling out now. */
const targetOf = async (api: SlipwayApi, app: string, ref: string | undefined): Promise<Target> => {
  if (ref !== undefined) return api.release(app, parseReleaseRef(ref));
  const rolling = (await api.app(app)).rollout_in_flight;
  if (!rolling) throw usageError(`${app} has no release rolling out: name one (v7), see \`slipway releases -a ${app}\``);
  return rolling;
};

/** What was done and what follows, e.g. `Aborted web v7: …`. */
const DONE: Record<ReleaseAction, (label: string, release: ReleaseResponse) => string> = {
  approve: (label, release) => {
    const waiting = gateWords(release.rollout?.gate ?? null);
    return `Approved ${label}: ${waiting ? `the gate is still ${waiting}` : 'its traffic shifts on'}.`;
  },
  promote: (label) => `Promoted ${label}: its bakes and gate are skipped, all production traffic shifts to it now.`,
  abort: (label) => `Aborted ${label}: ECS shifts all traffic back to the previous revision; the release ends failed.`,
};

const withRelease = <T>(argv: Argv<T>) =>
  withWait(withApp(argv)).positional('release', { type: 'string', describe: 'version (v7) or release id (default: the release rolling out)' });

/**
 * Takes `action` on the release named (or rolling out), under this invocation's Idempotency-Key, once `confirm`
 * (if any) let it; then reports it or follows it to the end.
 */
const act = async (
  action: ReleaseAction,
  args: { app?: string | undefined; release?: string | undefined; wait: boolean; timeout: number },
  session: Session,
  confirm?: (app: string, target: Target) => Promise<void>,
) => {
  const app = requireApp(args);
  const target = await targetOf(session.api, app, args.release);
  await confirm?.(app, target);
  const acted = await session.api.actOnRelease(app, target.id, action, session.idempotencyKey);
  if (!session.json) printLine(DONE[action](`${app} ${versionLabel(acted)}`, acted));
  const final = args.wait ? await waitForRelease(session.api, app, acted.id, waitOptions(args, session)) : acted;
  if (session.json) printJson(final);
  return args.wait ? exitCodeOf(final) : EXIT.succeeded;
};

const approve = defineCommand({
  command: 'releases:approve [release]',
  describe: "approve a release held at its gate; its traffic shifts on once the gate's checks succeeded too [operator]",
  examples: [
    ['$0 releases:approve -a web', 'approve the release web is rolling out'],
    ['$0 releases:approve v7 -a web --wait', 'approve v7 and follow it to the end'],
  ],
  builder: (argv) => withRelease(argv),
  run: (args, session) => act('approve', args, session),
});

const promote = defineCommand({
  command: 'releases:promote [release]',
  describe: "skip the rest of a release's bakes and its gate: all production traffic shifts to it now [operator]",
  examples: [['$0 releases:promote -a web --wait', 'cut the canary of the release rolling out short, and follow it']],
  builder: (argv) => withRelease(argv),
  run: (args, session) => act('promote', args, session),
});

const abort = defineCommand({
  command: 'releases:abort [release]',
  describe: 'roll back a release that is shifting traffic: the previous revision takes all traffic again, the release ends failed [operator]',
  examples: [
    ['$0 releases:abort -a web', 'asks first, naming the version'],
    ['$0 releases:abort v7 -a web --confirm web', 'without asking, as a script would'],
  ],
  builder: (argv) => withConfirmation(withRelease(argv)),
  run: (args, session) =>
    act('abort', args, session, (app, target) =>
      confirmOrRefuse(
        args,
        app,
        `Abort ${versionLabel(target)} of ${app}? All traffic goes back to the previous revision.`,
        `Not aborted: ${versionLabel(target)} of ${app} rolls on`,
      ),
    ),
});

export const releaseActionCommands = [approve, promote, abort];
