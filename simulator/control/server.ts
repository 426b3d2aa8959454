/**
 * The control API: change faults while a run is going, read the delivery ledger, scrape metrics.
 * HTTP/1.1 JSON on fastify, on 127.0.0.1 by default. Bound to any other address it requires a
 * bearer token (constructing it without one throws), since whoever reaches it can break delivery.
 * Request logging is off: the token must never reach a log.
 *
 *   GET    /faults            list (with the timeline's current phase)
 *   POST   /faults            add one fault              → 201, or 400 { problems }
 *   GET    /faults/:id        one fault
 *   PUT    /faults/:id        replace its spec
 *   PATCH  /faults/:id        change some of its fields
 *   DELETE /faults/:id        remove it                   → 204
 *   DELETE /faults            remove all
 *   POST   /reset             back to the initial spec; timeline, counters and ledger restart
 *   GET    /ledger            ledger summary; /ledger/records?limit=N (0–10000) for the latest deliveries
 *
 * Every body is checked: anything but a JSON object where a spec belongs is 400 with the problem,
 * bodies over 64 KiB are 413; a 500 means a bug in pushsim.
 *   GET    /metrics           Prometheus text
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InvalidArgumentError, assertInteger, isPushSimError } from '../../core/errors.js';
import type { InvalidConfigError } from '../../core/errors.js';
import type { FaultSpec } from '../faults/spec.js';
import type { ControlEngine } from './engine.js';
import { createFaultRegistry } from './prometheus.js';

export type { ControlEngine } from './engine.js';

export interface ControlServerOptions {
  readonly engine: ControlEngine;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Bearer token; required unless bound to loopback, and enforced whenever given. */
  readonly token?: string;
}

export interface ControlServer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** A fault spec is a few hundred bytes; the largest request body the API reads. */
export const controlBodyLimit = 64 * 1024;
/** Most deliveries /ledger/records returns at once. */
const maxRecords = 10_000;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { engine } = options;
  const host = options.host ?? '127.0.0.1';
  const port = assertInteger('port', options.port ?? 0, 0, 65_535);
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    throw new InvalidArgumentError('the control API token must be a string of at least 16 characters');
  }
  if (!isLoopback(host) && options.token === undefined) {
    throw new InvalidArgumentError(`the control API on ${host} (not loopback) needs a bearer token: give token (--control-token)`);
  }
  const app = Fastify({ logger: false, bodyLimit: controlBodyLimit });
  // Fastify's own 4xx (malformed JSON, wrong content-type, body too large) in the API's { error } shape;
  // anything else is a bug in pushsim, answered 500 without details.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });
  const registry = createFaultRegistry(engine);
  const { refresh } = engine;
  if (refresh !== undefined) app.addHook('preHandler', async () => refresh.call(engine));

  if (options.token !== undefined) {
    const expected = digest(`Bearer ${options.token}`);
    app.addHook('onRequest', async (request, reply) => {
      const given = request.headers.authorization;
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is required' });
      }
    });
  }

  const fault = (id: string, reply: FastifyReply) => {
    const found = engine.list().find((view) => view.id === id);
    if (found === undefined) void reply.code(404).send({ error: `no fault with id '${id}'` });
    return found;
  };
  const guarded = async (reply: FastifyReply, run: () => unknown, status = 200): Promise<unknown> => {
    try {
      return reply.code(status).send(await run());
    } catch (error) {
      if (isPushSimError(error) && error.code === 'PUSHSIM_ERR_INVALID_CONFIG') {
        return reply.code(400).send({ error: 'invalid fault', problems: (error as InvalidConfigError).problems });
      }
      if (isPushSimError(error)) return reply.code(400).send({ error: error.message });
      throw error;
    }
  };

  /** The body as a fault spec object, or undefined after answering 400 (null, a number, a list…). */
  const specBody = (body: unknown, reply: FastifyReply, what: string): FaultSpec | undefined => {
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as FaultSpec;
    void reply.code(400).send({ error: `the body must be a JSON object: ${what}, got ${body === undefined ? 'no body' : Array.isArray(body) ? 'a list' : JSON.stringify(body)}` });
    return undefined;
  };

  app.get('/faults', async () => ({ phase: engine.phase(), faults: engine.list() }));
  app.post('/faults', async (request, reply) => {
    const spec = specBody(request.body, reply, 'a fault spec such as {"kind":"latency","distribution":{"kind":"fixed","ms":50}}');
    return spec === undefined ? reply : guarded(reply, () => engine.add(spec), 201);
  });
  app.get<{ Params: { id: string } }>('/faults/:id', async (request, reply) => fault(request.params.id, reply));
  app.put<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    if (fault(request.params.id, reply) === undefined) return reply;
    const spec = specBody(request.body, reply, 'the fault\'s new spec');
    return spec === undefined ? reply : guarded(reply, () => engine.replace(request.params.id, spec));
  });
  app.patch<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    const current = fault(request.params.id, reply);
    if (current === undefined) return reply;
    const changes = specBody(request.body, reply, 'the fields to change, such as {"enabled":false}');
    return changes === undefined ? reply : guarded(reply, () => engine.replace(request.params.id, { ...current.spec, ...changes } as FaultSpec));
  });
  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) =>
    (await engine.remove(request.params.id)) ? reply.code(204).send() : reply.code(404).send({ error: `no fault with id '${request.params.id}'` }),
  );
  app.delete('/faults', async (_request, reply) => {
    for (const view of engine.list()) await engine.remove(view.id);
    return reply.code(204).send();
  });
  app.post('/reset', async (_request, reply) => {
    await engine.reset();
    return reply.code(204).send();
  });
  app.get('/timeline', async () => ({ startedAt: engine.startedAt, phase: engine.phase(), phases: engine.timeline.phases.map((p) => ({ ...p, endMs: Number.isFinite(p.endMs) ? p.endMs : null })) }));
  app.get('/ledger', async () => engine.ledger.summary());
  app.get<{ Querystring: { limit?: string } }>('/ledger/records', async (request, reply) => {
    const given = request.query.limit ?? '100';
    if (typeof given !== 'string' || !/^\d{1,5}$/.test(given) || Number(given) > maxRecords) {
      return reply.code(400).send({ error: `limit must be a whole number from 0 to ${maxRecords}, got ${JSON.stringify(given)}` });
    }
    const limit = Number(given);
    return { records: limit === 0 ? [] : engine.ledger.records().slice(-limit) };
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));

  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('control API has no TCP address');
  const urlHost = isIP(host) === 6 ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { url: `http://${urlHost}:${address.port}`, app, close: () => app.close() };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
