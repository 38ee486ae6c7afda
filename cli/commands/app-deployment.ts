import type { AppResponse } from '../../shared/api/app-responses';
import { defineCommand, requireApp, withApp } from '../command';
import { deploymentFields, deploymentOf, withDeploymentOptions } from '../deployment-options';
import { printFields, printJson, printLine } from '../output';

const describeDeployment = (app: AppResponse) => {
  printLine(`=== ${app.name} deployment`);
  printFields(deploymentFields(app.deployment));
};

const appsDeployment = defineCommand({
  command: 'apps:deployment',
  describe: "how an app's releases roll out: strategy, traffic steps, bakes, alarms, gate",
  examples: [['$0 apps:deployment -a web', "web's strategy and gate"]],
  builder: (argv) => withApp(argv),
  run: async (args, { api, json }) => {
    const app = await api.app(requireApp(args));
    if (json) return printJson(app.deployment);
    describeDeployment(app);
  },
});

const appsDeploymentSet = defineCommand({
  command: 'apps:deployment:set',
  describe: "replace how an app's releases roll out (what is not given takes its default) [operator]",
  examples: [
    ['$0 apps:deployment:set -a web --strategy canary --canary-percent 10 --canary-bake 5', '10% for 5 minutes, then the rest'],
    ['$0 apps:deployment:set -a web --strategy canary --gate-checks ci/smoke --gate-approval', 'held after the bake for a check and an approval'],
    ['$0 apps:deployment:set -a web --strategy rolling', 'back to the default'],
  ],
  builder: (argv) => withDeploymentOptions(withApp(argv), { required: true }),
  run: async (args, { api, json }) => {
    const app = await api.updateApp(requireApp(args), { deployment: deploymentOf(args) });
    if (json) return printJson(app.deployment);
    describeDeployment(app);
  },
});

export const appDeploymentCommands = [appsDeployment, appsDeploymentSet];
