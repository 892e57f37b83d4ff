// REST paths AI Proxy callers (FastGPT and its docs) use: `POST /api/channels/import/oneapi`
// with `Authorization: Bearer <ADMIN_KEY>` and `{"dsn": "..."}`, answered in AI Proxy's
// envelope `{"success": true, "data": …}` / `{"success": false, "message": …}`; and
// `GET /api/status` in One API's shape.
import { Elysia } from 'elysia';
import * as v from 'valibot';
import pkg from '../../package.json';
import { recordAudit } from '../auth/audit-log.ts';
import { allows } from '../auth/principal.ts';
import type { Gateway } from '../context.ts';
import { importErrorMessage, OneApiImport, runOneApiImport } from './import.ts';

const fail = (status: number, message: string) => Response.json({ success: false, message }, { status });

/** AI Proxy's AdminAuth takes the key with or without `Bearer ` (`Authorization: <ADMIN_KEY>`). */
function withBearer(request: Request): Request {
  const auth = request.headers.get('authorization')?.trim();
  if (!auth || /^\w+\s/.test(auth)) return request;
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${auth}`);
  return new Request(request.url, { method: request.method, headers });
}

export function restRoutes(gw: Gateway) {
  const startTime = Math.floor(Date.now() / 1000);
  return new Elysia({ name: 'admin-rest' })
    .get('/api/status', () => Response.json({
      success: true, message: '',
      data: { system_name: 'Switchboard', version: pkg.version, start_time: startTime, database: gw.db.kind },
    }))
    .post('/api/channels/import/oneapi', async ({ request, server }) => {
      const { principal, problem } = await gw.auth.resolve(withBearer(request));
      if (!principal) return fail(401, problem ?? 'Send Authorization: Bearer <ADMIN_KEY>.');
      if (!allows(principal, 'admin')) return fail(403, 'This needs the admin role.');
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return fail(400, 'The body must be JSON like {"dsn": "..."}.');
      }
      const parsed = v.safeParse(OneApiImport, body);
      if (!parsed.success) return fail(400, parsed.issues.map((i) => `${v.getDotPath(i) ?? 'body'}: ${i.message}`).join('; '));
      const ip = gw.clientAddress.of(server, request);
      try {
        const report = await runOneApiImport(gw, principal, parsed.output);
        await recordAudit(gw.db.db, { principal, action: 'import.oneapi', input: parsed.output, after: report.counts, ok: true, ip });
        return Response.json({ success: true, message: '', data: report });
      } catch (e) {
        const message = importErrorMessage(e);
        await recordAudit(gw.db.db, { principal, action: 'import.oneapi', input: parsed.output, ok: false, error: message ?? 'internal error', ip });
        if (message) return fail(400, message);
        gw.log.error('One API import failed', { error: e });
        return fail(500, 'Internal error; see the server log.');
      }
    }, { parse: 'none' });
}
