import { Suspense, useEffect, useRef } from 'react';
import { AlertsNavCount } from '../features/alerts/AlertsNavCount.tsx';
import { ControlBanner } from '../features/control/ControlBanner.tsx';
import { EmergencyStopButton } from '../features/control/EmergencyStopButton.tsx';
import { GoToJobShortcut } from '../features/jobs/GoToJob.tsx';
import { LiveAnnouncer } from '../components/LiveAnnouncer.tsx';
import { Notices } from '../components/Notices.tsx';
import { Loading } from '../components/States.tsx';
import { useCall } from '../lib/calls.ts';
import { formatCompactCount, formatCount } from '../lib/format.ts';
import { routeHref, useRoute } from '../lib/router.ts';
import { useTimes } from '../lib/useTimes.ts';
import { HostBanners } from './HostBanners.tsx';
import { ShortcutSheet } from './ShortcutSheet.tsx';
import { useTopbarHeight } from './useTopbarHeight.ts';
import { ROUTES } from './routes.tsx';
import { PageErrorBoundary } from '../components/PageErrorBoundary.tsx';

function NavCount({ path }: { path: string }) {
  const stats = useCall('overview.stats', {}, { staleTime: 10_000 });
  if (path !== '/dlq' || !stats.data || stats.data.dead_letters === 0) return null;
  const count = stats.data.dead_letters;
  // The number is part of the link's name as it is shown ("Dead letters 33.5K"), with a word to say what it
  // counts; the exact number is a hover away.
  return (
    <span className="nav-count" title={`${formatCount(count)} open dead letters`}>
      {formatCompactCount(count)}
      <span className="sr-only"> open</span>
    </span>
  );
}

/**
 * Which zone every time on screen is in, quiet in a status bar under every page, so a screenshot pasted
 * into an incident channel says it without a word from whoever took it; it links to where it is changed.
 * Not in the header: the page links fill it at a laptop's width.
 */
function StatusBar() {
  const times = useTimes();
  return (
    <footer className="statusbar">
      <a href={routeHref('/settings')} title="The zone every time here is shown in: change it in Settings">
        times in {times.zone()}
      </a>
    </footer>
  );
}

export function Layout() {
  const route = useRoute();
  const current = ROUTES.find((r) => r.path === route.path) ?? ROUTES[0];
  const main = useRef<HTMLElement>(null);
  const topbar = useRef<HTMLElement>(null);
  useTopbarHeight(topbar);

  useEffect(() => {
    document.title = current ? `${current.label} · opsdeck` : 'opsdeck';
  }, [current]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); main.current?.focus(); }}>
        Skip to content
      </a>
      <header ref={topbar} className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          opsdeck
        </span>
        <nav aria-label="Pages" className="nav">
          {ROUTES.map((r) => (
            <a key={r.path} href={routeHref(r.path)} className="nav-link" aria-current={r === current ? 'page' : undefined}>
              {r.label}
              <NavCount path={r.path} />
              <AlertsNavCount path={r.path} />
            </a>
          ))}
        </nav>
        <ShortcutSheet />
        <GoToJobShortcut />
        <EmergencyStopButton />
      </header>
      <div className="banner-area">
        <HostBanners />
        <ControlBanner />
      </div>
      <main id="main" ref={main} tabIndex={-1} className="main">
        {current ? (
          <PageErrorBoundary key={current.path} page={current.label}>
            {/* A page's code comes when first opened (routes.tsx); a chunk that cannot be fetched fails the page, not the console. */}
            <Suspense fallback={<Loading label={`Loading ${current.label}…`} />}>{current.render()}</Suspense>
          </PageErrorBoundary>
        ) : null}
      </main>
      <StatusBar />
      <Notices />
      <LiveAnnouncer />
    </div>
  );
}
