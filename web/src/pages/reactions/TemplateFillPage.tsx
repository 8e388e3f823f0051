import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionButton, ErrorNotice, Loading, PageHeader } from '../../components/ui';
import type { Page } from '../../lib/api';
import { api, ApiError, seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import { triggerOf } from './document';
import type { Doc } from './document';
import { DryRunPanel } from './DryRunPanel';
import { ConnectionsContext, PickerInput } from './pickers';
import './reactions.css';
import { fillTemplate, missingConnectionTypes, pickerForBlank, startingValues } from './template-fill';
import type { ReactionTemplate } from './template-fill';
import './template-gallery.css';
import type { ConnectionSummary, Reaction } from './types';
import { ProblemsPanel, useLiveValidation, validate } from './validation';
import { toYaml } from './yaml-input';

/** One template from the gallery, filled in with the reaction form's pickers, dry run and created. */
export default function TemplateFillPage() {
  const { name = '' } = useParams();
  const templates = useResource<{ items: ReactionTemplate[] }>('/api/v1/reaction-templates');
  const connections = useResource<Page<ConnectionSummary>>('/api/v1/connections');
  const template = templates.data?.items.find((t) => t.name === name);

  if (templates.error || connections.error) return <ErrorNotice error={templates.error ?? connections.error} />;
  if (!templates.data || !connections.data) return <Loading label="Loading the template…" />;
  if (!template) {
    return (
      <>
        <PageHeader title={name} />
        <p className="empty">
          There is no template named {name}. <Link to="/reaction-templates">See the templates</Link>.
        </p>
      </>
    );
  }
  // Keyed by template: another template starts from its own values.
  return <TemplateForm key={template.name} template={template} connections={connections.data.items} />;
}

/** Whether a reaction named `name` exists already (the gallery creates, it never changes one). */
async function nameTaken(name: string): Promise<boolean> {
  try {
    await api.get<Reaction>(`/api/v1/reactions/${seg(name)}`);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

function TemplateForm({ template, connections }: { template: ReactionTemplate; connections: ConnectionSummary[] }) {
  const navigate = useNavigate();
  const { can } = useSession();
  const [values, setValues] = useState(() => startingValues(template, connections));
  const [names, setNames] = useState(() => template.documents.map((d, i) => String((d as Doc).name ?? `${template.name}-${i + 1}`)));
  const [shown, setShown] = useState(0);
  const documents = fillTemplate(
    template,
    values,
    names.map((n) => n.trim()),
  );
  const document = documents[shown] ?? documents[0]!;
  const live = useLiveValidation({ document });
  const missing = missingConnectionTypes(template, connections);
  const empty = template.blanks.filter((b) => !values[b.id]?.trim());
  const several = documents.length > 1;

  const create = async () => {
    if (empty.length > 0) throw new Error(`Fill in ${empty.map((b) => b.label).join(', ')} first.`);
    const chosen = names.map((n) => n.trim());
    if (chosen.some((n) => n === '')) throw new Error('Give each reaction a name.');
    if (new Set(chosen).size < chosen.length) throw new Error('Give each reaction its own name.');
    // All are checked before any is created: a template of several reactions is created whole or not at all.
    for (const doc of documents) {
      if (await nameTaken(String(doc.name)))
        throw new Error(`A reaction named ${String(doc.name)} exists already: give this one another name.`);
      const checked = await validate({ document: doc });
      if (!checked.valid) throw new Error(`${String(doc.name)} has problems: ${checked.problems.join('; ')}`);
    }
    for (const doc of documents) await api.put<Reaction>(`/api/v1/reactions/${seg(String(doc.name))}`, doc);
    const created = documents.map((d) => String(d.name));
    navigate(`/reactions/${seg(created[0]!)}`, {
      state: { saved: `Created ${created.join(' and ')} from the template ${template.name}.` },
    });
  };

  return (
    <ConnectionsContext.Provider value={connections}>
      <PageHeader title={template.name} subtitle={template.description}>
        <Link className="button" to="/reaction-templates">
          All templates
        </Link>
        {can('write') ? (
          <ActionButton className="primary" busyLabel="Creating…" onAction={create}>
            {several ? `Create ${documents.length} reactions` : 'Create reaction'}
          </ActionButton>
        ) : null}
      </PageHeader>
      {!can('write') ? (
        <p className="notice notice-info">You can fill in and dry run this template; creating it needs the write role.</p>
      ) : null}
      {missing.length > 0 ? (
        <p className="notice notice-warn">
          This template needs a {missing.map((t) => (t === template.provider ? template.providerTitle : t)).join(' and a ')} connection, and
          there is none yet: <Link to="/integrations?tab=connections">add one under Integrations</Link>, then come back.
        </p>
      ) : null}
      <div className="reactions-editor">
        <div className="template-fill">
          <fieldset className="reactions-section">
            <legend>{several ? 'Names of its reactions' : 'Name'}</legend>
            {names.map((value, i) => (
              <div className="reactions-field" key={i}>
                <label htmlFor={`template-name-${i}`}>{several ? `Name of reaction ${i + 1}` : 'Reaction name'}</label>
                <input
                  id={`template-name-${i}`}
                  value={value}
                  spellCheck={false}
                  onChange={(e) => setNames(names.map((n, j) => (j === i ? e.target.value : n)))}
                />
              </div>
            ))}
          </fieldset>
          <fieldset className="reactions-section">
            <legend>Fill in</legend>
            {template.blanks.map((blank) => (
              <div className="reactions-field" key={blank.id} data-blank={blank.id}>
                <label htmlFor={`blank-${blank.id}`}>
                  {blank.label} <span className="reactions-required">*</span>
                </label>
                <PickerInput
                  id={`blank-${blank.id}`}
                  value={values[blank.id] ?? ''}
                  onChange={(value) => setValues({ ...values, [blank.id]: value })}
                  picker={pickerForBlank(blank, values)}
                  placeholder={blank.default}
                  describedBy={blank.hint ? `blank-${blank.id}-hint` : undefined}
                  required
                />
                {blank.hint ? (
                  <span id={`blank-${blank.id}-hint`} className="hint">
                    {blank.hint}
                  </span>
                ) : null}
              </div>
            ))}
            <p className="hint">
              Secrets the template names stay placeholders such as {'{{ secrets.NAME }}'}: set their values under Settings.
            </p>
          </fieldset>
          <section className="card" aria-labelledby="template-yaml-title">
            <h2 id="template-yaml-title">What will be created</h2>
            <pre className="json template-fill-yaml" aria-label="Filled-in reactions (YAML)">
              {documents.map((d) => toYaml(d)).join('---\n')}
            </pre>
          </section>
        </div>
        <aside className="reactions-editor-side" aria-label="Checks and dry run">
          {several ? (
            <div className="reactions-field">
              <label htmlFor="template-shown">Reaction to check and dry run</label>
              <select id="template-shown" value={shown} onChange={(e) => setShown(Number(e.target.value))}>
                {documents.map((d, i) => (
                  <option key={i} value={i}>
                    {String(d.name)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <ProblemsPanel live={live} />
          <DryRunPanel key={shown} check={{ document }} trigger={triggerOf(document)} />
        </aside>
      </div>
    </ConnectionsContext.Provider>
  );
}
