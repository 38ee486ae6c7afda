import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { appFixture, releaseFixture } from '../../shared/fixtures/model';
import { createEcsClient, useEcsClient } from '../../shared/ecs/ecs-client';
import { describeServiceAhead, runningCountsOf } from '../../shared/operations/running-counts';

const ecs = mockClient(ECSClient);
const V1 = 'arn:aws:ecs:eu-west-1:1:task-definition/web:7';
const V2 = 'arn:aws:ecs:eu-west-1:1:task-definition/web:8';
const rolledOut = (id: string, taskDefinitionArn: string) =>
  releaseFixture({ id, rollout: { desired: 4, running_new: 0, failed_tasks: 0, task_definition_arn: taskDefinitionArn } });

beforeEach(() => {
  ecs.reset();
  useEcsClient(createEcsClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }));
});

describe('running counts of an ECS app', () => {
  it("counts each release's tasks from the service's deployments, reading the service once for a burst of reads", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          status: 'ACTIVE',
          deployments: [
            { taskDefinition: V2, runningCount: 3 },
            { taskDefinition: V1, runningCount: 1 },
          ],
        },
      ],
    });
    const app = appFixture({ cluster: 'prod', service: 'web-burst' });
    const [v1, v2, never] = [rolledOut('r1', V1), rolledOut('r2', V2), releaseFixture({ id: 'r3' })];
    for (let read = 0; read < 5; read++) {
      const count = await runningCountsOf(app, [v1, v2, never]);
      expect([count(v1), count(v2), count(never)]).toEqual([1, 3, 0]);
    }
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('says null when the service cannot be described, and asks ECS nothing when no release reached it', async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const app = appFixture({ cluster: 'prod', service: 'web-throttled' });
    const v1 = rolledOut('r1', V1);
    expect((await runningCountsOf(app, [v1]))(v1)).toBeNull();
    const queued = releaseFixture({ id: 'r9' });
    expect((await runningCountsOf(appFixture({ cluster: 'prod', service: 'web-new' }), [queued]))(queued)).toBe(0);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('describes the service ahead, while the releases are still being read, only for an app with a current release; the count then uses that answer', async () => {
    let answer: (() => void) | undefined;
    ecs.on(DescribeServicesCommand).callsFake(
      () =>
        new Promise((resolve) => {
          answer = () => resolve({ services: [{ status: 'ACTIVE', deployments: [{ taskDefinition: V1, runningCount: 2 }] }] });
        }),
    );
    describeServiceAhead(appFixture({ cluster: 'prod', service: 'web-never-released', current_release_version: null }));
    describeServiceAhead(appFixture({ cluster: '', service: '', external: true, current_release_version: 3 }));
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);

    const app = appFixture({ cluster: 'prod', service: 'web-ahead', current_release_version: 1 });
    describeServiceAhead(app);
    await expect.poll(() => ecs.commandCalls(DescribeServicesCommand).length).toBe(1);
    const v1 = rolledOut('r1', V1);
    const counting = runningCountsOf(app, [v1]);
    answer?.();
    expect((await counting)(v1)).toBe(2);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});
