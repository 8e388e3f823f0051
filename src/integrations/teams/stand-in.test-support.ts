import type http from 'node:http';
import { jsonAnswer, recorded, StandIn, textAnswer } from '../stand-in-base.test-support.js';
import type { BodyAnswer, StandInRequest } from '../stand-in-base.test-support.js';

/** The workflow trigger's recorded refusal of a wrong signature (fixtures/). */
const BAD_SIGNATURE = recorded(import.meta.url, 'workflows-error.unauthorized.json');
/**
 * A local stand-in for Microsoft Teams webhooks (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook):
 *
 * - a Workflows (Power Automate) trigger at `/workflows/<id>/triggers/manual/paths/invoke?…&sig=…`:
 *   202 with an empty body once the request is accepted; the flow then runs, and a message it
 *   cannot post (no `attachments`, not an Adaptive Card, too large) fails only in its run
 *   history (`runs`), as the real service does. Refusals use Logic Apps' JSON error shape
 *   `{"error":{"code","message"}}` (codes as observed in client libraries).
 * - a legacy Office 365 connector at `/webhookb2/<id>/IncomingWebhook/<x>/<y>`: 200 `1`; a card
 *   Teams cannot deliver is 200 with "Webhook message delivery failed with error: Microsoft
 *   Teams endpoint returned HTTP error 400 …"; 400 malformed JSON, 404 unknown, 413 too large.
 *
 * Every request is recorded with its raw body; `failNext` queues answers (429, 5xx).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  json: unknown;
}

export interface FlowRun {
  status: 'Succeeded' | 'Failed';
  error?: string;
  /** The Adaptive Cards the flow posted. */
  cards: Array<Record<string, unknown>>;
}

export type TeamsAnswer = BodyAnswer;

export const WORKFLOW_ID = 'a1b2c3d4e5f6';
export const WORKFLOW_SIG = 'standin-signature';
export const CONNECTOR_PATH = '/webhookb2/1111-2222@3333-4444/IncomingWebhook/abcdef/5555-6666';
const MAX_BYTES = 28 * 1024;

export class TeamsStandIn extends StandIn<RecordedRequest> {
  /** Flow runs of the Workflows webhook, in order. */
  readonly runs: FlowRun[] = [];
  /** Cards the legacy connector delivered. */
  readonly delivered: Array<Record<string, unknown>> = [];

  constructor() {
    super(({ method, path, query, headers, raw, json }: StandInRequest): RecordedRequest => ({ method, path, query, headers, raw, json }));
  }

  /** A Workflows URL as Teams shows it (signature in the query string). */
  workflowUrl(sig: string | null = WORKFLOW_SIG, id = WORKFLOW_ID): string {
    const query = `api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0${sig === null ? '' : `&sig=${sig}`}`;
    return `${this.url}/workflows/${id}/triggers/manual/paths/invoke?${query}`;
  }

  get connectorUrl(): string {
    return `${this.url}${CONNECTOR_PATH}`;
  }

  clear(): void {
    this.http.clear();
    this.runs.length = 0;
    this.delivered.length = 0;
  }

  protected answer(request: RecordedRequest): TeamsAnswer {
    if (request.path.startsWith('/workflows/')) return this.workflow(request);
    if (request.path.startsWith('/webhookb2/')) return this.connector(request);
    return textAnswer(404, 'Not Found');
  }

  private workflow(request: RecordedRequest): TeamsAnswer {
    const error = (status: number, code: string, message: string): TeamsAnswer =>
      jsonAnswer(status, { error: { code, message } }, {}, 'application/json; charset=utf-8');
    if (request.path !== `/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke`)
      return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (request.method !== 'POST') return error(405, 'InvalidHttpMethod', 'The trigger accepts POST only.');
    const sig = request.query.get('sig');
    if (sig !== null && request.headers.authorization)
      return error(
        400,
        'DirectApiRequestHasMoreThanOneAuthorization',
        'The request has SAS authentication scheme and an authorization header. Only one scheme should be used.',
      );
    if (sig === null)
      return error(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
    if (sig !== WORKFLOW_SIG) return jsonAnswer(401, BAD_SIGNATURE, {}, 'application/json; charset=utf-8');
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('application/json') || request.json === undefined) {
      return error(400, 'InvalidRequestContent', 'The request content is not valid and could not be deserialized.');
    }
    // Accepted: the flow runs after the reply, so problems only show in its run history.
    this.runs.push(this.runFlow(request));
    return { status: 202, body: '' };
  }

  private runFlow(request: RecordedRequest): FlowRun {
    if (request.raw.length > MAX_BYTES) return { status: 'Failed', error: 'Request Entity too large', cards: [] };
    const problem = cardProblem(request.json);
    if (problem) return { status: 'Failed', error: problem, cards: [] };
    const attachments = (request.json as { attachments: Array<{ content: Record<string, unknown> }> }).attachments;
    return { status: 'Succeeded', cards: attachments.map((a) => a.content) };
  }

  private connector(request: RecordedRequest): TeamsAnswer {
    const text = (status: number, body: string): TeamsAnswer => textAnswer(status, body, 'text/plain; charset=utf-8');
    if (request.path !== CONNECTOR_PATH) return text(404, 'Webhook Not Found');
    if (request.raw.length > MAX_BYTES) return text(413, 'Request Entity too large');
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('application/json') || request.json === undefined)
      return text(400, 'Bad payload received by generic incoming webhook.');
    const problem = cardProblem(request.json);
    if (problem)
      return text(
        200,
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400 with ContextId tcid=0,server=stand-in,cv=x.0..',
      );
    const attachments = (request.json as { attachments: Array<{ content: Record<string, unknown> }> }).attachments;
    this.delivered.push(...attachments.map((a) => a.content));
    return text(200, '1');
  }
}

/** Why Teams could not render the message, or null: a message of Adaptive Card attachments. */
function cardProblem(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
  const attachments = (body as { attachments?: unknown }).attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) return 'the body has no attachments array';
  for (const attachment of attachments as Array<Record<string, unknown>>) {
    if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
      return `unsupported contentType ${String(attachment?.contentType)}`;
    const card = attachment.content as Record<string, unknown> | undefined;
    if (!card || card.type !== 'AdaptiveCard') return 'content.type must be "AdaptiveCard"';
    if (typeof card.version !== 'string' || !/^1\.[0-6]$/.test(card.version)) return `unsupported card version ${String(card.version)}`;
    if (!Array.isArray(card.body)) return 'content.body must be an array';
    for (const element of card.body as Array<Record<string, unknown>>) {
      if (element.type === 'TextBlock' && typeof element.text !== 'string') return 'a TextBlock needs text';
      if (element.type === 'FactSet') {
        const facts = element.facts;
        if (
          !Array.isArray(facts) ||
          facts.some((f: { title?: unknown; value?: unknown }) => typeof f?.title !== 'string' || typeof f.value !== 'string')
        ) {
          return 'a FactSet needs facts of {title, value} strings';
        }
      }
    }
    for (const action of (card.actions as Array<Record<string, unknown>> | undefined) ?? []) {
      if (action.type === 'Action.Submit') return 'Action.Submit is not supported by Workflows';
      if (action.type !== 'Action.OpenUrl' || typeof action.url !== 'string' || typeof action.title !== 'string')
        return 'actions must be Action.OpenUrl with title and url';
    }
  }
  return null;
}
