import { useState } from 'preact/hooks';
import { STAGES } from '../../../shared/domain/pipeline';
import { roleMay } from '../../../shared/domain/access';
import { ApiError, type Api, type CouplingResponse, type ReleaseResponse, type ReleaseStatusesResponse, type WhoamiResponse } from '../api';
import { Badge, Loading, Problem } from '../components';
import { currentOf, inFlight } from '../format';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { appHref, metricsHref, pipelineHref } from '../route';

export const PipelinesView = ({ api }: { api: Api }) => {
  const { data, error } = usePolled(() => api.pipelines(), () => IDLE_POLL_MS, [api]);
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title">Pipelines</h1>
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : data.length === 0 ? (
        <p>No pipelines yet.</p>
      ) : (
        <ul class="cards">
          {data.map((pipeline) => (
            <li key={pipeline.id} class="card">
              <a href={pipelineHref(pipeline.name)}>{pipeline.name}</a>
              {pipeline.description ? <p class="muted">{pipeline.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
};

type Stage = (typeof STAGES)[number];
type CoupledApp = { coupling: CouplingResponse; releases: ReleaseResponse[]; checks: ReleaseStatusesResponse | undefined };

const loadCoupled = async (api: Api, pipeline: string): Promise<CoupledApp[]> =>
  Promise.all(
    (await api.couplings(pipeline)).map(async (coupling) => {
      const releases = await api.releases(coupling.app.name);
      const current = currentOf(releases);
      return { coupling, releases, checks: current ? await api.statuses(coupling.app.name, current.id) : undefined };
    }),
  );

/** The first populated stage after `stage`: where a promotion from it goes. */
const nextStage = (stage: Stage, coupled: readonly CoupledApp[]): Stage | undefined =>
  STAGES.slice(STAGES.indexOf(stage) + 1).find((later) => coupled.some((entry) => entry.coupling.stage === later));

/**
 * Succeeded releases of `source` newer than the newest one whose build already runs downstream: what a
 * promotion would still carry forward.
 */
const notYetPromoted = (source: CoupledApp, downstream: readonly CoupledApp[]): ReleaseResponse[] => {
  const shipped = new Set(downstream.flatMap((entry) => entry.releases.filter((release) => release.status === 'succeeded').map((release) => release.slug.id)));
  const lastShipped = Math.max(0, ...source.releases.filter((release) => shipped.has(release.slug.id)).map((release) => release.version));
  return source.releases.filter((release) => release.status === 'succeeded' && release.version > lastShipped);
};

const RequiredChecks = ({ source, targets }: { source: CoupledApp; targets: readonly CoupledApp[] }) => {
  const required = [...new Set(targets.flatMap((target) => target.coupling.required_status_checks.contexts))];
  if (required.length === 0) return <p class="muted">No checks required to promote.</p>;
  const stateOf = (context: string) => source.checks?.statuses.find((status) => status.context === context)?.state ?? 'missing';
  return (
    <ul class="checks" aria-label={`Checks required to promote ${source.coupling.app.name}`}>
      {required.map((context) => (
        <li key={context}>
          <Badge value={stateOf(context)} /> <span class="mono">{context}</span>
        </li>
      ))}
    </ul>
  );
};

/** The API's refusal in words for people, with what to do about it. */
const promotionProblem = (error: unknown): Error => {
  if (error instanceof ApiError && error.code === 'unsafe_promotion') {
    return new Error(`Not promoted: the required checks have not all passed. ${error.message} Wait for them, or promote without the safety check.`);
  }
  return error instanceof Error ? new Error(`Not promoted: ${error.message}`) : new Error('Not promoted.');
};

const AppCard = (props: { api: Api; pipeline: string; entry: CoupledApp; targets: CoupledApp[]; mayPromote: boolean; reload: () => void }) => {
  const { entry, targets } = props;
  const app = entry.coupling.app.name;
  const current = currentOf(entry.releases);
  const waiting = targets.length > 0 ? notYetPromoted(entry, targets) : [];
  const [safe, setSafe] = useState(true);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ error?: Error; message?: string }>({});
  const rolling = entry.releases.find(inFlight);

  const promote = async () => {
    if (!current) return;
    setBusy(true);
    setOutcome({});
    try {
      const promotion = await props.api.promote({
        pipeline: { id: props.pipeline },
        source: { app: { name: app }, release: { id: current.id } },
        targets: targets.map((target) => ({ app: { name: target.coupling.app.name } })),
        safe,
      });
      setOutcome({ message: `Promoted v${current.version}: ${promotion.targets.map((target) => `${target.app.name} ${target.release ? `v${target.release.version}` : ''} ${target.status}`).join(', ')}.` });
      props.reload();
    } catch (error) {
      setOutcome({ error: promotionProblem(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="card" data-app={app}>
      <h3>
        <a href={appHref(app)}>{app}</a>
      </h3>
      <p>
        {current ? (
          <>
            <strong>v{current.version}</strong> <Badge value={current.status} /> <span class="muted">checks</span> <Badge value={current.state} />
          </>
        ) : (
          <span class="muted">no current release</span>
        )}
      </p>
      {rolling ? (
        <p>
          v{rolling.version} <Badge value={rolling.status} />
        </p>
      ) : null}
      {targets.length > 0 ? (
        <>
          <p class="waiting">
            {waiting.length === 0
              ? `Nothing waiting for ${targets[0]?.coupling.stage}.`
              : `Not yet promoted to ${targets[0]?.coupling.stage}: ${waiting.map((release) => `v${release.version}`).join(', ')}`}
          </p>
          <RequiredChecks source={entry} targets={targets} />
          {props.mayPromote && current ? (
            <div class="promote">
              <label>
                <input type="checkbox" checked={safe} onChange={(event) => setSafe(event.currentTarget.checked)} /> Only if required checks passed
              </label>
              <button type="button" class="primary" disabled={busy} onClick={() => void promote()}>
                Promote v{current.version} to {targets[0]?.coupling.stage}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
      {outcome.message ? (
        <p class="notice" role="status">
          {outcome.message}
        </p>
      ) : null}
      <Problem error={outcome.error} />
    </li>
  );
};

export const PipelineView = ({ api, who, pipeline }: { api: Api; who: WhoamiResponse; pipeline: string }) => {
  const { data, error, reload } = usePolled(
    () => loadCoupled(api, pipeline),
    (coupled) => (coupled.some((entry) => entry.releases.some(inFlight)) ? BUSY_POLL_MS : IDLE_POLL_MS),
    [api, pipeline],
  );
  const mayPromote = roleMay(who.role, 'promotions:create');
  return (
    <section aria-labelledby="pipeline-title">
      <h1 id="pipeline-title">Pipeline {pipeline}</h1>
      <p>
        <a href={metricsHref({ kind: 'pipelines', name: pipeline })}>Delivery metrics of its production stage</a>
      </p>
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : (
        <div class="stages">
          {STAGES.map((stage) => {
            const next = nextStage(stage, data);
            const targets = next ? data.filter((entry) => entry.coupling.stage === next) : [];
            const here = data.filter((entry) => entry.coupling.stage === stage);
            return (
              <section key={stage} class="stage" aria-labelledby={`stage-${stage}`} data-stage={stage}>
                <h2 id={`stage-${stage}`}>{stage}</h2>
                {here.length === 0 ? (
                  <p class="muted">No apps.</p>
                ) : (
                  <ul class="cards">
                    {here.map((entry) => (
                      <AppCard key={entry.coupling.id} api={api} pipeline={pipeline} entry={entry} targets={targets} mayPromote={mayPromote} reload={reload} />
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
};
