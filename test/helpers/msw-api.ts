/**
 * The stand-in DORA API (dora-api.ts) served in-process through msw, every body checked against Datadog's published
 * request model on the way in, for tests that run the CLI with runCli.
 */
import { HttpResponse, http } from 'msw';
import type { SetupServer } from 'msw/node';
import type { DoraApi } from './dora-api.js';
import { checkAgainstModel, type RequestModel } from './models.js';

const MODELS: Record<string, RequestModel> = {
  'POST /api/v2/dora/deployment': 'DORADeploymentRequest',
  'POST /api/v2/dora/failure': 'DORAFailureRequest',
  'POST /api/v2/dora/deployments': 'DORAListDeploymentsRequest',
  'POST /api/v2/dora/failures': 'DORAListFailuresRequest',
};

export function serveApi(server: SetupServer, api: DoraApi, base = 'https://api.datadoghq.eu'): void {
  server.use(
    http.all(`${base}/api/v2/dora/*`, async ({ request }) => {
      const path = new URL(request.url).pathname;
      const body = await request.text();
      const model = request.method === 'PATCH' ? 'DORADeploymentPatchRequest' : MODELS[`${request.method} ${path}`];
      if (model) checkAgainstModel(body, model);
      const reply = api.answer({ method: request.method, path, body, headers: Object.fromEntries(request.headers) });
      if (typeof reply === 'string') throw new Error(`the stand-in answered ${reply}, which msw cannot play`);
      return new HttpResponse(reply.status === 202 && !reply.body ? null : (reply.body ?? null), {
        status: reply.status,
        headers: reply.headers ?? {},
      });
    }),
  );
}
