import { useState } from 'preact/hooks';
import { roleMay } from '../../../shared/domain/access';
import type { Api, DeliveryResponse, HookResponse, WhoamiResponse } from '../api';
import { Badge, Loading, OutcomeNote, Problem, type Outcome } from '../components';
import { when } from '../format';
import { IDLE_POLL_MS, usePolled } from '../poll';
import { AppNav } from './app-nav';

/** Deliveries shown a hook: enough to see whether its receiver answers, one request a hook a poll. */
const LAST_DELIVERIES = 5;

type HookDeliveries = { hook: HookResponse; deliveries: DeliveryResponse[] };

const loadHooks = async (api: Api, app: string): Promise<HookDeliveries[]> =>
  Promise.all((await api.hooks(app)).map(async (hook) => ({ hook, deliveries: await api.deliveries(app, hook.id, LAST_DELIVERIES) })));

/** What the receiver said last: its status code, else why no answer came. */
const answerOf = (delivery: DeliveryResponse): string =>
  delivery.status_code !== null ? String(delivery.status_code) : delivery.last_attempt_at === null ? 'not tried yet' : 'no answer';

const Deliveries = (props: { hook: HookResponse; deliveries: DeliveryResponse[]; redeliver: ((delivery: DeliveryResponse) => void) | undefined; busy: string | undefined }) => (
  <table class="stack deliveries">
    <caption>Last deliveries</caption>
    <thead>
      <tr>
        <th scope="col">Event</th>
        <th scope="col">Outcome</th>
        <th scope="col">Status code</th>
        <th scope="col">Attempts</th>
        <th scope="col">Last attempt</th>
        {props.redeliver ? (
          <th scope="col">
            <span class="visually-hidden">Redeliver</span>
          </th>
        ) : null}
      </tr>
    </thead>
    <tbody>
      {props.deliveries.map((delivery) => (
        <tr key={delivery.id} data-delivery={delivery.id}>
          <td data-label="Event" class="mono">
            {delivery.event.type}
          </td>
          <td data-label="Outcome">
            <Badge value={delivery.outcome} />
          </td>
          <td data-label="Status code" class="status-code" title={delivery.status_code === null ? (delivery.response_excerpt ?? undefined) : undefined}>
            {answerOf(delivery)}
          </td>
          <td data-label="Attempts">{delivery.attempts}</td>
          <td data-label="Last attempt">{delivery.last_attempt_at ? when(delivery.last_attempt_at) : '—'}</td>
          {props.redeliver ? (
            <td>
              <button type="button" disabled={props.busy === delivery.id} onClick={() => props.redeliver?.(delivery)}>
                Redeliver <span class="visually-hidden">{delivery.event.type}</span>
              </button>
            </td>
          ) : null}
        </tr>
      ))}
    </tbody>
  </table>
);

const HookCard = (props: { api: Api; app: string; entry: HookDeliveries; mayRedeliver: boolean; reload: () => void }) => {
  const { hook, deliveries } = props.entry;
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome>({});
  const redeliver = async (delivery: DeliveryResponse) => {
    setBusy(delivery.id);
    setOutcome({});
    try {
      const sent = await props.api.redeliver(props.app, hook.id, delivery.id);
      setOutcome({ message: `Redelivered ${sent.event.type}: ${answerOf(sent)}.` });
      props.reload();
    } catch (error) {
      setOutcome({ error: new Error(`Not redelivered: ${error instanceof Error ? error.message : String(error)}`) });
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <li class="card" data-hook={hook.id}>
      <h2 class="hook-url mono">{hook.url}</h2>
      <p>
        <span class="tag">{hook.kind}</span> {hook.active ? <Badge value="active" /> : <Badge value="inactive" />}{' '}
        <span class="muted">{hook.events.includes('*') ? 'on every event' : `on ${hook.events.join(', ')}`}</span>
      </p>
      {deliveries.length === 0 ? (
        <p class="muted">No deliveries yet.</p>
      ) : (
        <Deliveries hook={hook} deliveries={deliveries} busy={busy} redeliver={props.mayRedeliver ? (delivery) => void redeliver(delivery) : undefined} />
      )}
      <OutcomeNote outcome={outcome} />
    </li>
  );
};

/** An app's hooks with their last deliveries; redelivery for the keys the API lets manage hooks (operator, admin). */
export const HooksView = ({ api, who, app }: { api: Api; who: WhoamiResponse; app: string }) => {
  const { data, error, reload } = usePolled(() => loadHooks(api, app), () => IDLE_POLL_MS, [api, app]);
  const mayRedeliver = roleMay(who.role, 'hooks:manage');
  return (
    <section aria-labelledby="hooks-title">
      <h1 id="hooks-title">Hooks of {app}</h1>
      <AppNav app={app} here="hooks" />
      <Problem error={error} />
      {!data ? (
        <Loading failed={error} />
      ) : data.length === 0 ? (
        <p>No hooks on {app} yet.</p>
      ) : (
        <ul class="cards">
          {data.map((entry) => (
            <HookCard key={entry.hook.id} api={api} app={app} entry={entry} mayRedeliver={mayRedeliver} reload={reload} />
          ))}
        </ul>
      )}
    </section>
  );
};
