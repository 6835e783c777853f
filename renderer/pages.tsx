// The pages as one list (after Prometheus' App.tsx): each page's id, title and component. It
// drives the navigation, the routes (?view=), the Alt+N shortcuts and the error boundaries.
import type { ComponentType } from 'react';
import type { PageProps, View } from './lib/route';

export type { PageProps } from './lib/route';
import { AlertsPage } from './pages/AlertsPage';
import { ConfigPage } from './pages/ConfigPage';
import { ExplorePage } from './pages/ExplorePage';
import { GrafanaPage } from './pages/GrafanaPage';
import { LogsPage } from './pages/LogsPage';
import { MetricsPage } from './pages/MetricsPage';
import { ObjectivesPage } from './pages/ObjectivesPage';
import { StackPage } from './pages/StackPage';
import { TargetsPage } from './pages/TargetsPage';

export interface PageEntry {
  view: View;
  title: string;
  Page: ComponentType<PageProps>;
  /** Filter changes become history entries (the explorer's queries), not replacements. */
  push?: boolean;
}

export const PAGES: readonly PageEntry[] = [
  { view: 'stack', title: 'Stack', Page: StackPage },
  { view: 'logs', title: 'Logs', Page: LogsPage },
  { view: 'targets', title: 'Targets', Page: TargetsPage },
  { view: 'alerts', title: 'Alerts', Page: AlertsPage },
  { view: 'metrics', title: 'Metrics', Page: MetricsPage },
  { view: 'explore', title: 'Explore', Page: ExplorePage, push: true },
  { view: 'config', title: 'Config', Page: ConfigPage },
  { view: 'grafana', title: 'Grafana', Page: GrafanaPage },
  // Last, so that the Alt+N of the views before it stay as they were.
  { view: 'objectives', title: 'Objectives', Page: ObjectivesPage },
];
