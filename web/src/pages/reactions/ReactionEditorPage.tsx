import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { Link, Navigate, useBlocker, useLocation, useNavigate, useParams } from 'react-router';
import { ActionButton, ErrorNotice, Loading, PageHeader, StatusBadge, Time } from '../../components/ui';
import type { Page } from '../../lib/api';
import { api, ApiError, seg } from '../../lib/api';
import { useEventStream, useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { ShiplineEvent } from '../../lib/types';
import { emptyDocument, isObject, sameDocument, setIn, suggestedEventTypes, triggerOf } from './document';
import type { Doc } from './document';
import { DryRunPanel } from './DryRunPanel';
import { FormView } from './form-view';
import { NEW_REACTION_PATH } from './paths';
import { ConnectionsContext, DeclarationsContext } from './pickers';
import { scheduleOf, tickSubjectOf } from './schedule';
import { SchedulePanel } from './schedule-panel';
import type { ConnectionType } from '../integrations/types';
import './reactions.css';
import type { ActionDoc, ConnectionSummary, DeclaredEvent, Reaction, ReactionDetail } from './types';
import { ProblemsPanel, useLiveValidation } from './validation';
import type { Checkable } from './validation';
import { VersionHistory } from './VersionHistory';
import { parseYaml, toYaml } from './yaml-input';
import { YamlView } from './yaml-view';

// React Flow is the biggest part of this page: loaded when the graph is first shown.
const ReactionGraph = lazy(() => import('./ReactionGraph'));

type Tab = 'form' | 'yaml' | 'graph' | 'history';

/**
 * The document to edit once the server sent `stored`: it, unless there are unsaved edits, which
 * keep everything but `enabled` (the Enable/Disable buttons change that on the server). The same
 * object is kept when nothing changed, so the YAML view keeps its text and comments.
 */
function adopt(doc: Doc | null, baseline: Doc | null, stored: Doc): Doc {
  if (doc === null) return stored;
  if (sameDocument(doc, baseline)) return sameDocument(doc, stored) ? doc : stored;
  return doc.enabled === stored.enabled ? doc : setIn(doc, ['enabled'], stored.enabled);
}

const LEAVE_QUESTION = 'Leave this reaction? Your unsaved changes will be lost.';

/**
 * Asks before unsaved changes are left behind: the browser's own question when the tab closes or
 * reloads, and ours when a link or Back leaves the editor. `leaving` is set by the editor's own
 * moves (to a new reaction's page after Create, to the list after Delete), which ask nothing.
 */
function useLeaveWarning(unsaved: boolean, leaving: RefObject<boolean>) {
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      if (!leaving.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved, leaving]);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => unsaved && !leaving.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    if (window.confirm(LEAVE_QUESTION)) {
      // Leaving anyway: the editor may stay on screen until the next page has loaded, asking nothing more.
      leaving.current = true;
      blocker.proceed();
    } else blocker.reset();
  }, [blocker, leaving]);
}

export default function ReactionEditorPage() {
  const { name } = useParams();
  // A fresh editor per reaction: saving a new one moves to its own URL and starts from what was stored.
  return <ReactionEditor key={name ?? '(new)'} name={name ?? null} />;
}

function ReactionEditor({ name }: { name: string | null }) {
  const navigate = useNavigate();
  const location = useLocation();
  const { can } = useSession();
  const canWrite = can('write');
  const reaction = useResource<ReactionDetail>(name ? `/api/v1/reactions/${seg(name)}` : null);
  const actions = useResource<Page<ActionDoc>>('/api/v1/actions');
  const connections = useResource<Page<ConnectionSummary>>('/api/v1/connections');
  const recent = useResource<Page<ShiplineEvent>>('/api/v1/events', { limit: 100 });
  const declared = useResource<{ items: DeclaredEvent[] }>('/api/v1/event-types');
  const connectionTypes = useResource<{ items: ConnectionType[] }>('/api/v1/connection-types');

  const [doc, setDoc] = useState<Doc | null>(name ? null : emptyDocument);
  const [baseline, setBaseline] = useState<Doc | null>(name ? null : emptyDocument);
  const [adopted, setAdopted] = useState<ReactionDetail>();
  const [tab, setTab] = useState<Tab>('form');
  const [yamlText, setYamlText] = useState('');
  const [yamlFor, setYamlFor] = useState<Doc | null>(null);
  const [yamlError, setYamlError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>((location.state as { saved?: string } | null)?.saved ?? null);
  // Whether anything was typed or Create pressed: a new reaction shows its problems only from then on.
  const [touched, setTouched] = useState(false);

  // A (re)loaded reaction becomes the editor's document unless there are unsaved edits; those
  // keep everything but `enabled`, which the buttons change on the server.
  if (reaction.data && reaction.data !== adopted) {
    const stored = isObject(reaction.data.document) ? reaction.data.document : { name: reaction.data.name };
    setAdopted(reaction.data);
    setBaseline(stored);
    setDoc(adopt(doc, baseline, stored));
  }

  // The YAML text follows the document unless it is the text the document came from (which keeps its comments and layout).
  if (tab === 'yaml' && doc && doc !== yamlFor) {
    setYamlFor(doc);
    setYamlText(toYaml(doc));
    setYamlError(null);
  }

  // Its runs end live: reload for the header's last run (an unchanged document keeps its place in the YAML view).
  useEventStream(name ? 'run.*' : null, (event) => {
    if (isObject(event.data) && event.data.reaction === name) reaction.reload();
  });
  const leaving = useRef(false);
  useLeaveWarning(doc !== null && !sameDocument(doc, baseline), leaving);

  // Nothing is checked until there is a document (a reaction still loading has none yet).
  const check: Checkable | null = !doc ? null : tab === 'yaml' || yamlError ? { yaml: yamlText } : { document: doc };
  const live = useLiveValidation(check);

  if (name && reaction.error && !reaction.data) {
    // The form's former address: while no reaction is named `new`, a link to it still opens the form.
    if (name === 'new' && reaction.error instanceof ApiError && reaction.error.status === 404) {
      return <Navigate to={NEW_REACTION_PATH} replace />;
    }
    return (
      <>
        <PageHeader title={name} />
        <ErrorNotice error={reaction.error} />
        <Link to="/reactions">Back to reactions</Link>
      </>
    );
  }
  if (!doc) return <Loading label="Loading the reaction…" />;

  const editFromForm = (next: Doc) => {
    setDoc(next);
    setYamlError(null);
    setNotice(null);
  };
  const editYaml = (text: string) => {
    setYamlText(text);
    setNotice(null);
    const parsed = parseYaml(text);
    if (!parsed.ok) return setYamlError(`Not valid YAML: ${parsed.error}`);
    if (!isObject(parsed.value)) return setYamlError('The document must be a mapping with name, on and steps.');
    setYamlError(null);
    setYamlFor(parsed.value);
    setDoc(parsed.value);
  };

  const dirty = !sameDocument(doc, baseline);
  if (dirty && !touched) setTouched(true);
  const save = async () => {
    setTouched(true);
    const target = name ?? (typeof doc.name === 'string' ? doc.name.trim() : '');
    if (!target) throw new Error('Give the reaction a name first.');
    const saved = await api.put<Reaction & { changed: boolean }>(`/api/v1/reactions/${seg(target)}`, doc);
    const message = saved.changed ? `Saved as version ${saved.version}.` : 'Nothing changed since the last version.';
    if (!name) {
      leaving.current = true;
      navigate(`/reactions/${seg(target)}`, { replace: true, state: { saved: message } });
      return;
    }
    setBaseline(doc);
    setNotice(message);
    reaction.reload();
  };
  const setEnabled = async (enabled: boolean) => {
    const updated = await api.patch<Reaction>(`/api/v1/reactions/${seg(name!)}`, { enabled });
    setNotice(`${enabled ? 'Enabled' : 'Disabled'}: version ${updated.version}.`);
    reaction.reload();
  };
  const restored = (r: Reaction) => {
    // The restored document replaces whatever the editor held (the restore was confirmed).
    const stored = isObject(r.document) ? r.document : doc;
    setDoc(stored);
    setBaseline(stored);
    setNotice(`Restored as version ${r.version}.`);
    reaction.reload();
  };
  const remove = async () => {
    await api.delete(`/api/v1/reactions/${seg(name!)}`);
    leaving.current = true;
    navigate('/reactions');
  };

  const current = reaction.data;
  const suggested = suggestedEventTypes(
    (declared.data?.items ?? []).map((e) => e.type),
    (connectionTypes.data?.items ?? []).filter((t) => t.inbound && (t.events ?? []).length === 0).map((t) => t.type),
  );
  const declarations = { types: connectionTypes.data?.items ?? [], events: declared.data?.items ?? [] };
  const eventTypes = [...new Set([...suggested, ...(recent.data?.items ?? []).map((e) => e.type)])];
  const tabs: Array<[Tab, string]> = [
    ['form', 'Form'],
    ['yaml', 'YAML'],
    ['graph', 'Graph'],
    ...(name ? [['history', 'History'] as [Tab, string]] : []),
  ];

  return (
    <ConnectionsContext.Provider value={connections.data?.items ?? []}>
      <DeclarationsContext.Provider value={declarations}>
        <PageHeader
          title={name ?? 'New reaction'}
          subtitle={
            current ? (
              <span className="reactions-summary">
                <StatusBadge status={current.enabled ? 'enabled' : 'disabled'} />
                <span>version {current.version}</span>
                {current.schedule ? (
                  <span>
                    {current.schedule.description}
                    {current.schedule.nextFireAt ? (
                      <>
                        , next <Time iso={current.schedule.nextFireAt} />
                      </>
                    ) : null}
                  </span>
                ) : scheduleOf(current.document) ? (
                  <span>
                    on schedule <code>{scheduleOf(current.document)!.cron}</code>
                  </span>
                ) : (
                  <span>
                    on <code>{current.trigger}</code>
                  </span>
                )}
                {current.lastRun ? (
                  <span>
                    last run{' '}
                    <Link to={`/runs/${current.lastRun.id}`}>
                      <StatusBadge status={current.lastRun.status} />
                    </Link>{' '}
                    <Time iso={current.lastRun.createdAt} />
                  </span>
                ) : (
                  <span>never run</span>
                )}
              </span>
            ) : (
              'Choose the event it reacts to, then the steps it runs.'
            )
          }
        >
          {dirty ? <span className="badge badge-warn">Unsaved changes</span> : null}
          {canWrite ? (
            <>
              <ActionButton className="primary" busyLabel="Saving…" disabled={Boolean(yamlError)} onAction={save}>
                {name ? 'Save' : 'Create'}
              </ActionButton>
              {current ? (
                <ActionButton busyLabel={current.enabled ? 'Disabling…' : 'Enabling…'} onAction={() => setEnabled(!current.enabled)}>
                  {current.enabled ? 'Disable' : 'Enable'}
                </ActionButton>
              ) : null}
              {current ? (
                <ActionButton
                  className="danger"
                  busyLabel="Deleting…"
                  confirm={`Delete the reaction ${name}? Its runs and versions stay.`}
                  onAction={remove}
                >
                  Delete
                </ActionButton>
              ) : null}
            </>
          ) : null}
        </PageHeader>
        {!canWrite ? (
          <p className="notice notice-info">You can read this reaction and dry run it; changing it needs the write role.</p>
        ) : null}
        {notice ? (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        ) : null}
        <div className="reactions-editor">
          <div className="reactions-editor-main">
            <div className="tabs" role="tablist" aria-label="Editor views">
              {tabs.map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  id={`tab-${id}`}
                  aria-controls={`panel-${id}`}
                  aria-selected={tab === id}
                  onClick={() => setTab(id)}
                >
                  {label}
                </button>
              ))}
            </div>
            <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
              {tab === 'form' ? (
                actions.error ? (
                  <ErrorNotice error={actions.error} />
                ) : !actions.data ? (
                  <Loading label="Loading the actions…" />
                ) : (
                  <>
                    {yamlError ? (
                      <p className="notice notice-warn">The YAML view has a syntax error; the form shows the last valid document.</p>
                    ) : null}
                    <FormView
                      doc={doc}
                      onChange={editFromForm}
                      actions={actions.data.items}
                      eventTypes={eventTypes}
                      isNew={!name}
                      disabled={!canWrite}
                    />
                  </>
                )
              ) : null}
              {tab === 'yaml' ? <YamlView text={yamlText} onText={editYaml} error={yamlError} readOnly={!canWrite} /> : null}
              {tab === 'graph' ? (
                <Suspense fallback={<Loading label="Loading the graph…" />}>
                  <ReactionGraph doc={doc} actions={actions.data?.items ?? []} onChange={canWrite ? editFromForm : undefined} />
                </Suspense>
              ) : null}
              {tab === 'history' && name && current ? (
                <VersionHistory name={name} current={current.version} canWrite={canWrite} onRestored={restored} />
              ) : null}
            </div>
          </div>
          <aside className="reactions-editor-side" aria-label="Checks and dry run">
            <SchedulePanel
              edited={scheduleOf(doc)}
              stored={current?.schedule ?? null}
              enabled={current?.enabled ?? doc.enabled !== false}
              changed={dirty}
              validation={live.result}
            />
            <ProblemsPanel live={live} quiet={!name && !touched} />
            <DryRunPanel
              check={check ?? { document: doc }}
              trigger={triggerOf(doc)}
              tick={tickSubjectOf(doc, live.result?.schedule?.next[0] ?? current?.schedule?.nextFireAt ?? null)}
            />
          </aside>
        </div>
      </DeclarationsContext.Provider>
    </ConnectionsContext.Provider>
  );
}
