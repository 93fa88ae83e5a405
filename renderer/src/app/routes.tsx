import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import { DispatchControls } from '../features/control/DispatchControls.tsx';
import { OverviewPage } from '../features/overview/OverviewPage.tsx';

/**
 * Every page but the Overview is a chunk of its own, fetched when first opened (Layout waits for it in a
 * Suspense): the Overview, the page a cold open lands on, paints without the code of the others, the
 * workflow graph's layout among them.
 */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] }));
}

const AlertsPage = page(() => import('../features/alerts/AlertsPage.tsx'), 'AlertsPage');
const AuditPage = page(() => import('../features/audit/AuditPage.tsx'), 'AuditPage');
const BreakersPage = page(() => import('../features/breakers/BreakersPage.tsx'), 'BreakersPage');
const DlqPage = page(() => import('../features/dlq/DlqPage.tsx'), 'DlqPage');
const JobsPage = page(() => import('../features/jobs/JobsPage.tsx'), 'JobsPage');
const PerformancePage = page(() => import('../features/performance/PerformancePage.tsx'), 'PerformancePage');
const RunnersPage = page(() => import('../features/runners/RunnersPage.tsx'), 'RunnersPage');
const SchedulesPage = page(() => import('../features/schedules/SchedulesPage.tsx'), 'SchedulesPage');
const SettingsPage = page(() => import('../features/settings/SettingsPage.tsx'), 'SettingsPage');
const WorkflowsPage = page(() => import('../features/workflows/WorkflowsPage.tsx'), 'WorkflowsPage');

export interface RouteDef {
  path: string;
  label: string;
  render(): ReactNode;
}

export const ROUTES: RouteDef[] = [
  { path: '/', label: 'Overview', render: () => <OverviewPage queueControls={(queues) => <DispatchControls queues={queues} />} /> },
  { path: '/runners', label: 'Runners', render: () => <RunnersPage /> },
  { path: '/breakers', label: 'Breakers', render: () => <BreakersPage /> },
  { path: '/performance', label: 'Performance', render: () => <PerformancePage /> },
  { path: '/jobs', label: 'Jobs', render: () => <JobsPage /> },
  { path: '/dlq', label: 'Dead letters', render: () => <DlqPage /> },
  { path: '/schedules', label: 'Schedules', render: () => <SchedulesPage /> },
  { path: '/workflows', label: 'Workflows', render: () => <WorkflowsPage /> },
  { path: '/alerts', label: 'Alerts', render: () => <AlertsPage /> },
  { path: '/audit', label: 'Audit log', render: () => <AuditPage /> },
  { path: '/settings', label: 'Settings', render: () => <SettingsPage /> },
];
