import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ESTATE_CHANGE_KINDS,
  EstateChangeError,
  type EstateChangeRequest,
  type EstateChanges,
} from './estateChanges';

/** `POST` here changes the demo estate (not an Azure route: the emulator's own control). */
export const ESTATE_CHANGES_PATH = '/_emulator/changes';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

/** Body `{kind, resourceId?, actor?: {upn?, name?, appId?}, tags?, schema?}`; answers the change and its events. */
export async function serveEstateChange(
  changes: EstateChanges,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  if (req.method !== 'POST') {
    reply(res, 405, {
      error: { code: 'MethodNotAllowed', message: `POST ${ESTATE_CHANGES_PATH} with {"kind": ...}` },
    });
    return;
  }
  const request = (body && typeof body === 'object' ? body : {}) as EstateChangeRequest;
  if (!ESTATE_CHANGE_KINDS.includes(request.kind)) {
    reply(res, 400, {
      error: {
        code: 'InvalidChange',
        message: `"kind" must be one of ${ESTATE_CHANGE_KINDS.join(', ')}`,
      },
    });
    return;
  }
  try {
    reply(res, 200, await changes.apply(request));
  } catch (e) {
    if (e instanceof EstateChangeError) reply(res, e.status, { error: { code: e.code, message: e.message } });
    else reply(res, 500, { error: { code: 'InternalServerError', message: (e as Error).message } });
  }
}
