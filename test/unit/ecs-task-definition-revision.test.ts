import type { ContainerDefinition, DescribeTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../shared/domain/errors';
import { releaseTaskDefinitionInput, targetContainerName } from '../../shared/ecs/task-definition-revision';

const release = { container: null, image: 'registry.local/web@sha256:abc', releaseId: 'rel-7', version: 7, config: null };

const app: ContainerDefinition = {
  name: 'web',
  image: 'registry.local/web:v6',
  essential: true,
  portMappings: [{ containerPort: 8080 }],
  environment: [
    { name: 'PORT', value: '8080' },
    { name: 'SLIPWAY_RELEASE_ID', value: 'rel-6' },
    { name: 'SLIPWAY_RELEASE_VERSION', value: '6' },
  ],
  secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:eu-west-1:1:parameter/db' }],
};
const logRouter: ContainerDefinition = { name: 'log-router', image: 'fluent-bit:2', essential: false };

const described = (containers: ContainerDefinition[]): DescribeTaskDefinitionResponse => ({
  taskDefinition: {
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/web:6',
    family: 'web',
    revision: 6,
    status: 'ACTIVE',
    containerDefinitions: containers,
    taskRoleArn: 'arn:aws:iam::1:role/task',
    executionRoleArn: 'arn:aws:iam::1:role/exec',
    networkMode: 'awsvpc',
    volumes: [{ name: 'scratch' }],
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
    cpu: '512',
    memory: '1024',
    pidMode: 'task',
    ipcMode: 'none',
    proxyConfiguration: { containerName: 'envoy', type: 'APPMESH' },
    inferenceAccelerators: [{ deviceName: 'gpu0', deviceType: 'eia2.medium' }],
    ephemeralStorage: { sizeInGiB: 30 },
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    registeredAt: new Date('2026-11-01T00:00:00Z'),
    registeredBy: 'arn:aws:iam::1:user/ops',
  },
  tags: [{ key: 'team', value: 'payments' }],
});

/** Matches the DomainError a builder refusal throws. */
const refusal = (fields: Partial<DomainError>) => expect.objectContaining({ name: 'DomainError', ...fields });

describe('the task definition revision of a release', () => {
  it('copies every registerable field and the tags, and nothing ECS computes itself', () => {
    const input = releaseTaskDefinitionInput(described([app, logRouter]), release);
    const source = described([]).taskDefinition;
    expect(input).toMatchObject({
      family: 'web',
      taskRoleArn: source?.taskRoleArn,
      executionRoleArn: source?.executionRoleArn,
      networkMode: 'awsvpc',
      volumes: source?.volumes,
      placementConstraints: source?.placementConstraints,
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      pidMode: 'task',
      ipcMode: 'none',
      proxyConfiguration: source?.proxyConfiguration,
      inferenceAccelerators: source?.inferenceAccelerators,
      ephemeralStorage: { sizeInGiB: 30 },
      runtimePlatform: source?.runtimePlatform,
      tags: [{ key: 'team', value: 'payments' }],
    });
    for (const computed of ['taskDefinitionArn', 'revision', 'status', 'compatibilities', 'requiresAttributes', 'registeredAt', 'registeredBy']) {
      expect(input).not.toHaveProperty(computed);
    }
  });

  it('puts the image into the target container only and replaces the release environment', () => {
    const input = releaseTaskDefinitionInput(described([app, logRouter]), release);
    const [web, sidecar] = input.containerDefinitions ?? [];
    expect(sidecar).toEqual(logRouter);
    expect(web).toMatchObject({ name: 'web', image: release.image, portMappings: app.portMappings, secrets: app.secrets });
    expect(web?.environment).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'SLIPWAY_RELEASE_ID', value: 'rel-7' },
      { name: 'SLIPWAY_RELEASE_VERSION', value: '7' },
    ]);
    expect(app.image).toBe('registry.local/web:v6');
    expect(app.environment).toHaveLength(3);
  });

  it('adds the release environment to a container that has none and leaves out absent fields', () => {
    const bare = { taskDefinition: { family: 'api', containerDefinitions: [{ name: 'api', image: 'api:1' }] } };
    expect(releaseTaskDefinitionInput(bare, release)).toEqual({
      family: 'api',
      containerDefinitions: [
        {
          name: 'api',
          image: release.image,
          environment: [
            { name: 'SLIPWAY_RELEASE_ID', value: 'rel-7' },
            { name: 'SLIPWAY_RELEASE_VERSION', value: '7' },
          ],
        },
      ],
    });
  });

  it('targets the named container when the app names one', () => {
    const input = releaseTaskDefinitionInput(described([logRouter, app]), { ...release, container: 'log-router' });
    expect(input.containerDefinitions?.map((container) => container.image)).toEqual([release.image, app.image]);
  });

  it('picks the single container, or the single essential one, when the app names none', () => {
    expect(targetContainerName([{ name: 'only', essential: false }], null)).toBe('only');
    expect(targetContainerName([logRouter, app], null)).toBe('web');
    expect(targetContainerName([logRouter, { name: 'implicitly-essential' }], null)).toBe('implicitly-essential');
  });

  it('refuses to guess between several essential containers', () => {
    expect(() => releaseTaskDefinitionInput(described([app, { ...logRouter, essential: true }]), release)).toThrow(
      refusal({
        code: 'ambiguous_container',
        message: expect.stringContaining('"container"'),
        details: { containers: ['web', 'log-router'] },
      }),
    );
  });

  it('refuses a container name the task definition does not have', () => {
    expect(() => releaseTaskDefinitionInput(described([app]), { ...release, container: 'worker' })).toThrow(
      refusal({ kind: 'unprocessable', code: 'container_not_found', details: { container: 'worker', containers: ['web'] } }),
    );
  });

  it('refuses a task definition without containers', () => {
    expect(() => releaseTaskDefinitionInput({ taskDefinition: { family: 'web', containerDefinitions: [] } }, release)).toThrow(
      refusal({ code: 'task_definition_incomplete' }),
    );
  });

  it("sets exactly the release's config: plain vars as environment, secrets as valueFrom, SLIPWAY_RELEASE_* kept", () => {
    const container = { ...app, environment: [{ name: 'OLD', value: 'gone' }], secrets: [{ name: 'OLD_SECRET', valueFrom: 'old' }] };
    const input = releaseTaskDefinitionInput(described([container, logRouter]), {
      ...release,
      config: { FOO: { secret: false, value: 'bar' }, TOKEN: { secret: true, value_from: '/slipway/app/change/TOKEN' } },
    });
    expect(input.containerDefinitions?.[0]).toMatchObject({
      environment: [
        { name: 'FOO', value: 'bar' },
        { name: 'SLIPWAY_RELEASE_ID', value: 'rel-7' },
        { name: 'SLIPWAY_RELEASE_VERSION', value: '7' },
      ],
      secrets: [{ name: 'TOKEN', valueFrom: '/slipway/app/change/TOKEN' }],
    });
    expect(JSON.stringify(input.containerDefinitions?.[0]?.environment)).not.toContain('TOKEN');
    expect(input.containerDefinitions?.[1]).toEqual(logRouter);
  });

  it("keeps the container's environment and secrets for a release without config", () => {
    const container = { ...app, environment: [{ name: 'KEPT', value: '1' }], secrets: [{ name: 'S', valueFrom: 'ref' }] };
    const input = releaseTaskDefinitionInput(described([container]), release);
    expect(input.containerDefinitions?.[0]?.environment?.[0]).toEqual({ name: 'KEPT', value: '1' });
    expect(input.containerDefinitions?.[0]?.secrets).toEqual([{ name: 'S', valueFrom: 'ref' }]);
  });
});
