import { fileURLToPath } from 'node:url';
import { dashboardFunction, readDashboardFiles } from '../shared/http/dashboard';

/** The dashboard's page and assets; the CDK stack builds them into `dashboard/` beside this bundle. */
export const handler = dashboardFunction(async () => readDashboardFiles(fileURLToPath(new URL('./dashboard/', import.meta.url))));
