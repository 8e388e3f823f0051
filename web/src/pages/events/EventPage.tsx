import { Link, useParams } from 'react-router';
import { CopyButton, ErrorNotice, JsonView, Loading, PageHeader, Time } from '../../components/ui';
import { seg } from '../../lib/api';
import { useResource } from '../../lib/hooks';
import { useSession } from '../../lib/session';
import type { ShiplineEvent } from '../../lib/types';
import { Facts } from '../runs/Facts';
import { isFinished } from '../runs/types';
import { mayRecover, usePolling } from '../../lib/refresh';
import { EventMatches } from './EventMatches';
import { eventSubject } from './event-summary';
import { ReplayButton } from './ReplayButton';
import type { EventMatch } from './types';
import './events.css';

/** While a run this event started is going, its status beside the reaction is read again this often. */
const POLL_MS = 3000;

export default function EventPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const event = useResource<ShiplineEvent>(`/api/v1/events/${seg(id)}`);
  const matches = useResource<{ items: EventMatch[] }>(`/api/v1/events/${seg(id)}/matches`);
  const going = (matches.data?.items ?? []).some((m) => m.runs.some((r) => !isFinished(r.status)));
  usePolling(going && mayRecover(matches.error), matches.reload, POLL_MS);

  const data = event.data?.id === id ? event.data : undefined;
  if (!data) {
    return (
      <>
        <PageHeader title="Event" />
        <ErrorNotice error={event.error} />
        {event.loading ? <Loading label="Loading the event…" /> : null}
      </>
    );
  }
  const subject = eventSubject(data);
  const json = JSON.stringify(data, null, 2);

  return (
    <>
      <PageHeader
        title={data.type}
        subtitle={
          <>
            From <strong>{data.source}</strong>, received <Time iso={data.receivedAt} />
          </>
        }
      >
        {can('write') ? <ReplayButton eventId={data.id} onReplayed={matches.reload} /> : null}
      </PageHeader>
      <Facts
        label="Event details"
        facts={[
          [
            'Type',
            <>
              <code>{data.type}</code> · <Link to={`/events?type=${encodeURIComponent(data.type)}`}>more like it</Link>
            </>,
          ],
          ['Happened', <Time iso={data.timestamp} />],
          ['Received', <Time iso={data.receivedAt} />],
          ['Position', data.seq],
          subject ? ['About', <Link to={subject.to}>Open {subject.label}</Link>] : null,
          ['Runs', <Link to={`/runs?eventId=${encodeURIComponent(data.id)}`}>Every run it started</Link>],
          ['Source', data.source, 'wide'],
          ['Id', <span className="sha">{data.id}</span>, 'wide'],
        ]}
      />
      <EventMatches matches={matches} />
      <section aria-labelledby="events-json-title">
        <div className="events-section-head">
          <h2 id="events-json-title">JSON</h2>
          <CopyButton text={json} label="Copy JSON" />
        </div>
        <JsonView value={data} label="The event as JSON" />
      </section>
    </>
  );
}
