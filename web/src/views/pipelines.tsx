import { useState } from 'preact/hooks';
import { STAGES } from '../../../shared/domain/pipeline';
import { roleMay } from '../../../shared/domain/access';
import { ApiError, type Api, type AppDetailResponse, type CouplingResponse, type ReleaseResponse, type ReleaseStatusesResponse, type WhoamiResponse } from '../api';
import { Badge, ChecksBadge, Loading, OutcomeNote, Problem, type Outcome } from '../components';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { notYetPromoted } from '../promotion-backlog';
import { appHref, metricsHref, pipelineHref } from '../route';

export const PipelinesView = ({ api }: { api: Api }) => {
  const { data, error } = usePolled(() => api.pipelines(), () => IDLE_POLL_MS, [api]);
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title">Pipelines</h1>
      <Problem error={error} />
      {!data ? (
        <Loading failed={error} />
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
type CoupledApp = {
  coupling: CouplingResponse;
  detail: AppDetailResponse;
  checks: ReleaseStatusesResponse | undefined;
  /** The build the app's current release deployed: what a stage before it counts as promoted. */
  runningBuild: string | undefined;
  /** The newest of its succeeded releases, read only when a later stage takes its promotions. */
  succeeded: { releases: ReleaseResponse[]; more: boolean };
};

/** How many of a stage's newest succeeded releases one poll reads to tell what waits for the next stage. */
const BACKLOG_PAGE = 10;

/** The first populated stage after `stage`: where a promotion from it goes. */
const nextStage = (stage: Stage, couplings: readonly CouplingResponse[]): Stage | undefined =>
  STAGES.slice(STAGES.indexOf(stage) + 1).find((later) => couplings.some((coupling) => coupling.stage === later));

/**
 * A few bounded reads per coupled app, however long its history: its detail, its current release's checks, and
 * one page where a promotion from or to it is told.
 */
const loadCoupled = async (api: Api, pipeline: string): Promise<CoupledApp[]> => {
  const couplings = await api.couplings(pipeline);
  const targetStages = new Set(couplings.map((coupling) => nextStage(coupling.stage, couplings)));
  return Promise.all(
    couplings.map(async (coupling) => {
      const app = coupling.app.name;
      const [{ detail, checks }, running, succeeded] = await Promise.all([
        api.appDetail(app).then(async (detail) => ({
          detail,
          checks: detail.current_release ? await api.statuses(app, detail.current_release.id) : undefined,
        })),
        targetStages.has(coupling.stage) ? api.newestReleases(app, 1, 1, { current: true }) : undefined,
        nextStage(coupling.stage, couplings) ? api.newestReleases(app, BACKLOG_PAGE, 1, { status: 'succeeded' }) : { releases: [], more: false },
      ]);
      return { coupling, detail, checks, runningBuild: running?.releases[0]?.slug.id, succeeded };
    }),
  );
};

const backlogOf = (source: CoupledApp, targets: readonly CoupledApp[]) =>
  notYetPromoted(source.succeeded, new Set(targets.flatMap((target) => (target.runningBuild ? [target.runningBuild] : []))));

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
  const current = entry.detail.current_release;
  const waiting = backlogOf(entry, targets);
  const [safe, setSafe] = useState(true);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({});
  const rolling = entry.detail.rollout_in_flight;

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
            <strong>v{current.version}</strong> <Badge value={current.status} /> <span class="muted">checks</span> <ChecksBadge release={current} />
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
            {waiting.releases.length === 0
              ? `Nothing waiting for ${targets[0]?.coupling.stage}.`
              : `Not yet promoted to ${targets[0]?.coupling.stage}: ${waiting.releases.map((release) => `v${release.version}`).join(', ')}${waiting.more ? ' and earlier ones' : ''}`}
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
      <OutcomeNote outcome={outcome} />
    </li>
  );
};

export const PipelineView = ({ api, who, pipeline }: { api: Api; who: WhoamiResponse; pipeline: string }) => {
  const { data, error, reload } = usePolled(
    () => loadCoupled(api, pipeline),
    (coupled) => (coupled.some((entry) => entry.detail.rollout_in_flight) ? BUSY_POLL_MS : IDLE_POLL_MS),
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
        <Loading failed={error} />
      ) : (
        <div class="stages">
          {STAGES.map((stage) => {
            const next = nextStage(stage, data.map((entry) => entry.coupling));
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
