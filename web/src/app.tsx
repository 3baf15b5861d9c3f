import { useEffect, useState } from 'preact/hooks';
import type { LiveLink, LinkState } from './api/live';
import { OfflineError, type Session, type User } from './api/session';
import { useStore } from './api/store';
import { LoginView } from './views/login';
import { OverviewView } from './views/overview';
import { MachineView } from './views/machine';
import { AccessView } from './views/access';
import { LeaksView } from './views/leaks';
import { ExperimentsView } from './views/experiments';
import { AlarmsView } from './views/alarms';
import { AlarmBadge } from './alarm-badge';

export interface ViewProps {
  session: Session;
  link: LiveLink;
  user: User;
  /** The rest of the route: `#/machine/cnc-01` gives ['cnc-01']. */
  params: string[];
}

interface ViewEntry {
  path: string;
  title: string;
  /** The permission the view's queries and subscriptions need; the view is hidden without it. */
  permission: string;
  inNav: boolean;
  render: (props: ViewProps) => preact.JSX.Element;
}

/**
 * The views, in navigation order, each with the permission its operations need. Alarms are
 * reached from the header's badge (AlarmBadge, shown with alarms:read on every view).
 */
export const VIEWS: readonly ViewEntry[] = [
  {
    path: 'overview',
    title: 'Plant overview',
    permission: 'machines:read',
    inNav: true,
    render: (p) => <OverviewView {...p} />,
  },
  {
    path: 'machine',
    title: 'Machine',
    permission: 'machines:read',
    inNav: false,
    render: (p) => <MachineView {...p} />,
  },
  { path: 'access', title: 'Access', permission: 'access:read', inNav: true, render: (p) => <AccessView {...p} /> },
  { path: 'leaks', title: 'Leak sensors', permission: 'leaks:read', inNav: true, render: (p) => <LeaksView {...p} /> },
  {
    path: 'experiments',
    title: 'Experiments',
    permission: 'experiments:read',
    inNav: true,
    render: (p) => <ExperimentsView {...p} />,
  },
  // Reached from the header's alarm badge (on every view), so not in the navigation too.
  { path: 'alarms', title: 'Alarms', permission: 'alarms:read', inNav: false, render: (p) => <AlarmsView {...p} /> },
];

function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const LINK_TEXT: Record<LinkState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  offline: 'Disconnected — data may be stale, reconnecting…',
};

export function App({ session, link }: { session: Session; link: LiveLink }) {
  const user = useStore(session.user);
  const [resuming, setResuming] = useState(true);
  const [resumeError, setResumeError] = useState<string | null>(null);

  useEffect(() => {
    session
      .resume()
      .catch((error) => setResumeError(error instanceof OfflineError ? error.message : String(error)))
      .finally(() => setResuming(false));
  }, [session]);

  if (resuming) return <p class="loading">Loading…</p>;
  if (!user) return <LoginView session={session} notice={resumeError} />;
  return <Shell session={session} link={link} user={user} />;
}

function Shell({ session, link, user }: { session: Session; link: LiveLink; user: User }) {
  const route = useRoute();
  const state = useStore(link.state);
  const allowed = VIEWS.filter((view) => user.permissions.includes(view.permission));
  const current = allowed.find((view) => view.path === route[0]) ?? allowed[0];

  useEffect(() => {
    document.title = current ? `${current.title} · Plantgraph` : 'Plantgraph';
  }, [current]);
  // The socket opens with the first subscription; closing it on log-out ends every subscription.
  useEffect(() => () => void link.client.terminate(), [link]);

  return (
    <div class="shell" data-link={state}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">Plantgraph</span>
        <nav aria-label="Views">
          <ul>
            {allowed
              .filter((view) => view.inNav)
              .map((view) => (
                <li key={view.path}>
                  <a
                    href={`#/${view.path}`}
                    aria-current={
                      view === current || (current?.path === 'machine' && view.path === 'overview') ? 'page' : undefined
                    }
                  >
                    {view.title}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        {user.permissions.includes('alarms:read') && (
          <AlarmBadge session={session} link={link} current={current?.path === 'alarms'} />
        )}
        <p class={`link link-${state}`} role="status" aria-live="polite" data-testid="link-state">
          <span aria-hidden="true">{state === 'live' ? '●' : state === 'offline' ? '⚠' : '◌'}</span> {LINK_TEXT[state]}
        </p>
        <span class="who">{user.displayName}</span>
        <button type="button" onClick={() => void session.logout()}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {current ? (
          current.render({ session, link, user, params: route.slice(1) })
        ) : (
          <p>Your account has no permission for any view of this dashboard. Ask an administrator for a role.</p>
        )}
      </main>
    </div>
  );
}
