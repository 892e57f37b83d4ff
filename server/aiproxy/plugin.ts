// The AI Proxy–compatible admin REST API under /api/* (docs/fastgpt.md): what FastGPT's
// model-provider pages call with AIPROXY_API_ENDPOINT and AIPROXY_API_TOKEN. Every answer
// is AI Proxy's envelope; every route needs an admin (ADMIN_KEY as FastGPT sends it, see
// auth.ts). `POST /api/channels/import/oneapi` and `GET /api/status` live in
// server/admin/rest.ts.
import { TRPCError } from '@trpc/server';
import { Elysia } from 'elysia';
import { recordAudit } from '../auth/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { Gateway } from '../context.ts';
import { requireAdmin } from './auth.ts';
import { testChannelModel, testChannelModels } from './channel-tests.ts';
import { typeMetas } from './channel-types.ts';
import { addChannel, batchDelete, batchStatus, deleteChannel, getChannel, listChannels, putChannel, setStatus, StatusBody } from './channels.ts';
import { dashboardV2 } from './dashboard.ts';
import { ApiError, fail, jsonBody, ok, parseInput, pathId } from './envelope.ts';
import { logDetail, searchLogs } from './logs.ts';

type Ctx = { request: Request; params: Record<string, string>; server: Parameters<Gateway['clientAddress']['of']>[0] };
type Handler = (c: Ctx & { principal: Principal; query: URLSearchParams }) => Promise<Response>;

export function aiproxyPlugin(gw: Gateway) {
  /** Auth, then the handler; refusals and domain errors become AI Proxy's `success: false`. */
  const route = (handler: Handler) => async (c: Ctx) => {
    try {
      const principal = await requireAdmin(gw, c.request);
      return await handler({ ...c, principal, query: new URL(c.request.url).searchParams });
    } catch (e) {
      if (e instanceof ApiError) return fail(e.status, e.message);
      if (e instanceof TRPCError) return fail(e.code === 'NOT_FOUND' ? 404 : e.code === 'BAD_REQUEST' ? 400 : 500, e.message);
      gw.log.error('AI Proxy API request failed', { error: e, path: new URL(c.request.url).pathname });
      return fail(500, 'Internal error; see the server log.');
    }
  };
  /** Channel changes are audited like the admin router's. */
  const audited = (action: string, fn: (c: Ctx & { principal: Principal; query: URLSearchParams }, body: unknown) => Promise<{ target: string; result: unknown; response: Response }>): Handler => async (c) => {
    const body = c.request.method === 'GET' || c.request.method === 'DELETE' ? {} : await jsonBody(c.request);
    const ip = gw.clientAddress.of(c.server, c.request);
    try {
      const { target, result, response } = await fn(c, body);
      await recordAudit(gw.db.db, { principal: c.principal, action, target, input: body, after: result, ok: true, ip });
      return response;
    } catch (e) {
      await recordAudit(gw.db.db, { principal: c.principal, action, input: body, ok: false, error: (e as Error).message, ip });
      throw e;
    }
  };
  const none = { parse: 'none' } as const;

  const create = audited('aiproxy.channel.create', async (_c, body) => {
    const r = await addChannel(gw, body);
    return { target: `channels#${r.id}`, result: r, response: ok(r) };
  });

  return new Elysia({ name: 'aiproxy-api' })
    .get('/api/channels/type_metas', route(async () => ok(typeMetas())), none)
    // AI Proxy answers every channel here, whatever page/perPage say (FastGPT relies on it).
    .get('/api/channels/all', route(async () => ok((await listChannels(gw)).channels)), none)
    .get('/api/channels/', route(async ({ query }) => {
      const page = Math.max(1, Number.parseInt(query.get('page') ?? query.get('p') ?? '1', 10) || 1);
      const perPage = Math.min(500, Math.max(1, Number.parseInt(query.get('per_page') ?? query.get('perPage') ?? '10', 10) || 10));
      return ok(await listChannels(gw, { page, perPage }));
    }), none)
    .post('/api/channels/batch_delete', route(audited('aiproxy.channel.batch_delete', async (_c, body) => {
      const changed = await batchDelete(gw, body);
      return { target: 'channels', result: { changed }, response: ok(null) };
    })), none)
    .post('/api/channels/batch_status', route(audited('aiproxy.channel.batch_status', async (_c, body) => {
      const changed = await batchStatus(gw, body);
      return { target: 'channels', result: { changed }, response: ok(null) };
    })), none)
    .post('/api/channel/', route(create), none)
    .post('/api/channel', route(create), none)
    .post('/api/createChannel', route(create), none)
    .get('/api/channel/:id', route(async ({ params }) => ok(await getChannel(gw, pathId(params.id!, 'id')))), none)
    .put('/api/channel/:id', route(audited('aiproxy.channel.update', async ({ params }, body) => {
      const id = pathId(params.id!, 'id');
      const ch = await putChannel(gw, id, body);
      return { target: `channels#${id}`, result: ch, response: ok(ch) };
    })), none)
    .post('/api/channel/:id/status', route(audited('aiproxy.channel.status', async ({ params }, body) => {
      const id = pathId(params.id!, 'id');
      const { status } = parseInput(StatusBody, body);
      await setStatus(gw, id, status);
      return { target: `channels#${id}`, result: { status }, response: ok(null) };
    })), none)
    .delete('/api/channel/:id', route(audited('aiproxy.channel.delete', async ({ params }) => {
      const id = pathId(params.id!, 'id');
      await deleteChannel(gw, id);
      return { target: `channels#${id}`, result: { deleted: true }, response: ok(null) };
    })), none)
    .get('/api/channel/:id/test', route(async ({ params, query }) => ok(await testChannelModels(gw, pathId(params.id!, 'id'), query))), none)
    .get('/api/channel/:id/test/*', route(async ({ params }) => {
      const id = pathId(params.id!, 'id');
      const model = safeDecode(params['*'] ?? '');
      try {
        return ok(await testChannelModel(gw, id, model));
      } catch (e) {
        // AI Proxy answers a test it could not run with HTTP 200 and success: false.
        if (e instanceof ApiError) return Response.json({ success: false, message: e.message });
        throw e;
      }
    }), none)
    .get('/api/logs/search', route(async ({ query }) => ok(await searchLogs(gw, query))), none)
    .get('/api/logs/detail/:id', route(async ({ params }) => {
      const { data, message } = await logDetail(gw, params.id!);
      return ok(data, message);
    }), none)
    .get('/api/dashboardv2/', route(async ({ query }) => ok(await dashboardV2(gw, query))), none)
    .get('/api/dashboardv2', route(async ({ query }) => ok(await dashboardV2(gw, query))), none);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
