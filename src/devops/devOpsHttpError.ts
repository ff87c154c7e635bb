import { isTransientStatus, parseRetryAfterMs, type HeaderBag } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import { redactText } from '../telemetry/redact';

/** The PAT scope a call needs, as the Azure DevOps token page names it. */
export type DevOpsScope =
  'Code: Read' | 'Build: Read' | 'Release: Read' | 'Environment: Read' | 'Project and Team: Read';

export interface DevOpsCallTarget {
  organization: string;
  project?: string;
  scope: DevOpsScope;
  /** How the client signs in: a PAT, or the app's Entra identity. */
  auth: 'pat' | 'entra';
  /** What was being read, for the message ("repositories", "builds"). */
  what: string;
}

/**
 * The error for an Azure DevOps answer that is not a success, with a message naming what to
 * fix. Azure DevOps answers some bad PATs with 203 and a sign-in page, or a redirect to one,
 * instead of 401: those mean the same. The message never carries the request's credentials.
 */
export function devOpsHttpError(
  status: number,
  headers: HeaderBag,
  body: string,
  target: DevOpsCallTarget,
): TopDeckError {
  const where = target.project
    ? `project "${target.project}" of organisation "${target.organization}"`
    : `organisation "${target.organization}"`;
  const credential =
    target.auth === 'pat'
      ? 'the PAT (AZURE_DEVOPS_PAT) is invalid or expired: create a new one and update AZURE_DEVOPS_PAT'
      : `the app's Entra identity is not accepted by organisation "${target.organization}": add it to the organisation (Organization settings > Users) or set AZURE_DEVOPS_PAT`;
  const detail = serverMessage(body);
  const make = (code: string, message: string, transient = false) =>
    new TopDeckError({
      code,
      message: redactText(message),
      transient,
      statusCode: status,
      retryAfterMs: parseRetryAfterMs(headers),
    });
  if (status === 401)
    return make(
      'DevOpsUnauthorized',
      `Azure DevOps answered 401 reading ${target.what} of ${where}: ${credential}`,
    );
  if (status === 203 || (status >= 300 && status < 400)) {
    return make(
      'DevOpsUnauthorized',
      `Azure DevOps answered ${status} with a sign-in page reading ${target.what} of ${where}: ${credential}`,
    );
  }
  if (status === 403) {
    return make(
      'DevOpsForbidden',
      `Azure DevOps refused reading ${target.what} of ${where} (403${detail ? `: ${detail}` : ''}): ${
        target.auth === 'pat'
          ? `the PAT lacks the "${target.scope}" scope; give AZURE_DEVOPS_PAT the scopes Code: Read, Build: Read, Release: Read and Environment: Read`
          : `grant the app's identity read access (${target.scope}) in ${where}`
      }`,
    );
  }
  if (status === 404) {
    return make(
      'DevOpsNotFound',
      target.project
        ? `Azure DevOps answered 404 reading ${target.what}: organisation "${target.organization}" or project "${target.project}" was not found; check AZURE_DEVOPS_ORG and AZURE_DEVOPS_PROJECT`
        : `Azure DevOps answered 404 reading ${target.what}: organisation "${target.organization}" was not found; check AZURE_DEVOPS_ORG (and AZURE_DEVOPS_BASE_URL)`,
    );
  }
  if (status === 429) {
    return make(
      'DevOpsThrottled',
      `Azure DevOps throttled reading ${target.what} of ${where} (429${detail ? `: ${detail}` : ''})`,
      true,
    );
  }
  return make(
    `Http${status}`,
    `Azure DevOps answered ${status} reading ${target.what} of ${where}${detail ? `: ${detail}` : ''}`,
    isTransientStatus(status),
  );
}

/** The `message` of an Azure DevOps JSON error body, bounded; nothing for HTML or empty bodies. */
function serverMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}
