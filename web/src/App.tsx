import { lazy, Suspense } from 'react';
import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate, Route, RouterProvider, Routes, useLocation } from 'react-router';
import { Layout } from './components/Layout';
import { Loading } from './components/ui';
import { SessionProvider, useSession } from './lib/session';
import DeploysPage from './pages/deploys/DeploysPage';
import { NEW_REACTION_PATH } from './pages/reactions/paths';
import SignInPage from './pages/SignInPage';

const SetupPage = lazy(() => import('./pages/SetupPage'));

// The deploys list is the first screen and ships in the main bundle; every other page is its
// own chunk, fetched when first visited, so the first screen stays small (bench/ui.ts).
const page = (load: () => Promise<{ default: ComponentType }>) => lazy(load);
const DeployPage = page(() => import('./pages/deploys/DeployPage'));
const EnvironmentPage = page(() => import('./pages/deploys/EnvironmentPage'));
const ServicesPage = page(() => import('./pages/services/ServicesPage'));
const ServicePage = page(() => import('./pages/services/ServicePage'));
const SuggestionsPage = page(() => import('./pages/services/SuggestionsPage'));
const InsightsPage = page(() => import('./pages/insights/InsightsPage'));
const ReactionsPage = page(() => import('./pages/reactions/ReactionsPage'));
const ReactionEditorPage = page(() => import('./pages/reactions/ReactionEditorPage'));
const TemplateGalleryPage = page(() => import('./pages/reactions/TemplateGalleryPage'));
const TemplateFillPage = page(() => import('./pages/reactions/TemplateFillPage'));
const RunsPage = page(() => import('./pages/runs/RunsPage'));
const RunPage = page(() => import('./pages/runs/RunPage'));
const EventsPage = page(() => import('./pages/events/EventsPage'));
const EventPage = page(() => import('./pages/events/EventPage'));
const IntegrationsPage = page(() => import('./pages/integrations/IntegrationsPage'));
const ConnectionPage = page(() => import('./pages/integrations/ConnectionPage'));
const SettingsPage = page(() => import('./pages/settings/SettingsPage'));

function SignedInRoutes() {
  const { session } = useSession();
  const location = useLocation();
  if (session === undefined) return <Loading label="Checking your session…" />;
  if (session === null) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to="/deploys" replace />} />
          <Route path="/deploys" element={<DeploysPage />} />
          <Route path="/deploys/:id" element={<DeployPage />} />
          <Route path="/environments/:name" element={<EnvironmentPage />} />
          <Route path="/services" element={<ServicesPage />} />
          <Route path="/services/:id" element={<ServicePage />} />
          <Route path="/suggestions" element={<SuggestionsPage />} />
          <Route path="/insights" element={<InsightsPage />} />
          <Route path="/reactions" element={<ReactionsPage />} />
          <Route path={NEW_REACTION_PATH} element={<ReactionEditorPage />} />
          <Route path="/reactions/:name" element={<ReactionEditorPage />} />
          <Route path="/reaction-templates" element={<TemplateGalleryPage />} />
          <Route path="/reaction-templates/:name" element={<TemplateFillPage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/events" element={<EventsPage />} />
          <Route path="/events/:id" element={<EventPage />} />
          <Route path="/integrations" element={<IntegrationsPage />} />
          <Route path="/integrations/connections/:name" element={<ConnectionPage />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}

function NotFound() {
  return <p className="empty">There is no page here. Use the menu to find your way.</p>;
}

function Root() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        path="/setup"
        element={
          <Suspense fallback={<Loading />}>
            <SetupPage />
          </Suspense>
        }
      />
      <Route path="*" element={<SignedInRoutes />} />
    </Routes>
  );
}

// A data router (one route holding the app's own <Routes>): it is what lets a page with unsaved
// changes ask before the app navigates away (useBlocker in the reaction editor).
const router = createBrowserRouter([{ path: '*', element: <Root /> }]);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
