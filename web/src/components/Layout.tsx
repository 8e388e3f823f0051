import { useState } from 'react';
import type { ReactNode } from 'react';
import { Link, NavLink, useLocation } from 'react-router';
import { useSession } from '../lib/session';
import { currentTheme, setTheme } from '../lib/theme';

/** The menu; `also` names other pages that belong to an entry, so it stays marked on them. */
const LINKS: { to: string; label: string; also?: string }[] = [
  { to: '/deploys', label: 'Deploys' },
  { to: '/services', label: 'Services' },
  { to: '/suggestions', label: 'Suggestions' },
  { to: '/insights', label: 'Insights' },
  { to: '/reactions', label: 'Reactions', also: '/reaction-templates' },
  { to: '/runs', label: 'Runs' },
  { to: '/events', label: 'Events' },
  { to: '/integrations', label: 'Integrations' },
  { to: '/settings', label: 'Settings' },
];

/** Whether `pathname` is `base` or a page under it. */
function within(pathname: string, base: string): boolean {
  return pathname === base || pathname.startsWith(`${base}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const { pathname } = useLocation();
  const [theme, setThemeState] = useState(currentTheme);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    setThemeState(next);
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <NavLink to="/deploys" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Shipline
        </NavLink>
        <nav className="nav" aria-label="Main">
          {LINKS.map((link) => (
            <Link
              key={link.to}
              to={link.to}
              aria-current={within(pathname, link.to) || (link.also && within(pathname, link.also)) ? 'page' : undefined}
            >
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="sidebar-footer">
          {session ? (
            <span className="muted" title={session.user.email}>
              {session.user.name} <span className="badge">{session.user.role}</span>
            </span>
          ) : null}
          <button
            type="button"
            className="button-small"
            onClick={toggle}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          <button type="button" className="button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
