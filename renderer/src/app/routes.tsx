import type { ReactNode } from 'react';
import { AlertsPage } from '../features/alerts/AlertsPage.tsx';
import { AuditPage } from '../features/audit/AuditPage.tsx';
import { BreakersPage } from '../features/breakers/BreakersPage.tsx';
import { DispatchControls } from '../features/control/DispatchControls.tsx';
import { DlqPage } from '../features/dlq/DlqPage.tsx';
import { JobsPage } from '../features/jobs/JobsPage.tsx';
import { OverviewPage } from '../features/overview/OverviewPage.tsx';
import { PerformancePage } from '../features/performance/PerformancePage.tsx';
import { RunnersPage } from '../features/runners/RunnersPage.tsx';
import { SchedulesPage } from '../features/schedules/SchedulesPage.tsx';
import { SettingsPage } from '../features/settings/SettingsPage.tsx';
import { WorkflowsPage } from '../features/workflows/WorkflowsPage.tsx';

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
