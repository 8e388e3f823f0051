/**
 * Octopus's error bodies: `{ErrorMessage, Errors}`. Routes throw these; the server's error handler
 * turns them into the answer, so a handler never builds an error body by hand.
 */
export class OctopusApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[] | undefined,
  ) {
    super(message);
    this.name = 'OctopusApiError';
  }

  body(): Record<string, unknown> {
    return this.errors === undefined ? { ErrorMessage: this.message } : { ErrorMessage: this.message, Errors: this.errors };
  }
}

/** The exact 401 body Octopus answers to a missing or unknown API key. */
export const UNAUTHORIZED_BODY = {
  ErrorMessage: 'You must be logged in to perform this action. Please provide a valid API key or log in again.',
} as const;

// How Octopus words a validation failure: a generic headline, the specifics in Errors.
const VALIDATION_HEADLINE = 'There was a problem with your request.';

/** 404 for a document that does not exist (or not in this space). */
export function notFound(kind: string, idOrName: string): OctopusApiError {
  return new OctopusApiError(404, 'The resource you requested was not found.', [`The ${kind} '${idOrName}' was not found.`]);
}

/** 400 with Octopus's validation headline and the given specifics. */
export function invalid(...errors: string[]): OctopusApiError {
  return new OctopusApiError(400, VALIDATION_HEADLINE, errors);
}

/** 400 whose headline is the problem itself, as the deployment endpoints answer a bad reference. */
export function badReference(message: string): OctopusApiError {
  return new OctopusApiError(400, message, [message]);
}

/** How the executions API (`.../create/v1`) answers a name it cannot resolve. */
export function executionNotFound(kind: string, name: string): OctopusApiError {
  return new OctopusApiError(
    400,
    "Resource is not found or it doesn't exist in the current space context. Please contact your administrator for more information.",
    [`The ${kind} '${name}' was not found.`],
  );
}
