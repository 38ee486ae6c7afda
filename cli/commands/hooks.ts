import { defineCommand, requireApp, withApp } from '../command';
import { age, paint, printJson, printLine, printTable } from '../output';
import type { DeliveryResponse } from '../../shared/api/hook-responses';

const OUTCOME_STYLES = { delivered: 'green', gave_up: 'red', retrying: 'yellow', pending: 'gray' } as const satisfies Record<DeliveryResponse['outcome'], string>;

/** An attempt's result: its status (green for 2xx), or `error` in red when no answer came. */
const resultOf = (statusCode: number | null) =>
  statusCode === null ? paint('red', 'error') : paint(statusCode >= 200 && statusCode < 300 ? 'green' : 'red', String(statusCode));

/** One line of an answer: its first line, at most `width` characters. */
const oneLine = (text: string, width = 60) => {
  const line = text.split('\n')[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
};

const hooks = defineCommand({
  command: 'hooks',
  describe: "an app's webhooks and integrations",
  examples: [['$0 hooks -a web', 'where the events of web go']],
  builder: (argv) => withApp(argv),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const list = await api.hooks(app);
    if (json) return printJson(list);
    printTable(
      ['ID', 'KIND', 'EVENTS', 'URL', 'ACTIVE'],
      list.map((hook) => [hook.id, hook.kind, hook.events.join(','), hook.url, hook.active ? 'yes' : 'no']),
      'No hooks on this app.',
    );
  },
});

const hooksDeliveries = defineCommand({
  command: 'hooks:deliveries <hook>',
  describe: "a hook's delivery log, newest first: each delivery with every attempt it kept (when, status or error, duration, answer)",
  examples: [
    ['$0 hooks:deliveries 3f2c… -a web', 'the newest 10 deliveries and their attempts'],
    ['$0 hooks:deliveries 3f2c… -a web --limit 50 --cursor eyJ0…', 'the page after the one that printed that cursor'],
  ],
  builder: (argv) =>
    withApp(argv)
      .positional('hook', { type: 'string', demandOption: true, describe: 'the hook id (see slipway hooks)' })
      .option('limit', { type: 'number', default: 10, describe: 'deliveries to show (1-200)' })
      .option('cursor', { type: 'string', describe: 'continue after an earlier page (the cursor it printed)' }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const page = await api.deliveries(app, args.hook, args.limit, args.cursor);
    if (json) return printJson(page.items);
    if (page.items.length === 0) printLine('No deliveries yet.');
    for (const delivery of page.items) {
      const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
      const next = delivery.next_attempt_at ? `, next ${delivery.next_attempt_at}` : '';
      printLine(`=== ${delivery.event.type} ${delivery.id} ${paint(OUTCOME_STYLES[delivery.outcome], delivery.outcome)} (${attempts}${next}) ${age(delivery.created_at)}`);
      printTable(
        ['AT', 'WHY', 'STATUS', 'DURATION', 'ANSWER'],
        delivery.attempt_log.map((attempt) => [
          attempt.at,
          attempt.reason,
          resultOf(attempt.status_code),
          `${attempt.duration_ms}ms`,
          oneLine(attempt.error ?? attempt.response_excerpt),
        ]),
        'Not attempted yet.',
      );
      if (delivery.attempts > delivery.attempt_log.length) printLine(`(${delivery.attempts - delivery.attempt_log.length} older attempts not kept)`);
      printLine();
    }
    if (page.nextCursor) printLine(`Older deliveries follow: --cursor ${page.nextCursor}`);
  },
});

export const hookCommands = [hooks, hooksDeliveries];
