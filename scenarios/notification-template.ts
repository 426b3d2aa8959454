/**
 * One notification, encoded for each provider from one template (the scenario's `notification`):
 *
 *   APNs      the `payload` as written (or, without one, { aps: { alert: { title, body }, badge: 1, sound: default }, ...data })
 *   FCM       { notification: { title, body }, data }            (FCM HTTP v1 message)
 *   Web Push  {"title":…,"body":…,"data":{…}} as the encrypted payload (what a service worker's push handler reads)
 *
 * `title` and `body` default to the APNs alert's, so a scenario written for APNs sends the same
 * text everywhere; a recipient that falls back from one provider to another gets the same words.
 * Each field is compiled once (template.ts); per notification only the variables are filled in.
 */
import { compileJsonTemplate, compileTextTemplate, variablesIn } from './template.js';
import type { Template } from './template.js';

/** The `notification` fields that carry text. */
export interface TemplateFields {
  readonly payload: object;
  readonly title?: string;
  readonly body?: string;
  readonly data?: Readonly<Record<string, string>>;
}

export const defaultTitle = 'pushsim';
export const defaultBody = 'Load test notification';

/** The APNs payload a scenario gets when it gives `title` / `body` / `data` but no `payload`. */
export function apnsPayloadFrom(title: string | undefined, body: string | undefined, data: Readonly<Record<string, string>> | undefined): object {
  return { aps: { alert: { title: title ?? defaultTitle, body: body ?? defaultBody }, badge: 1, sound: 'default' }, ...data };
}

/** Each variable the templates use, with the first field that uses it (for messages). */
export function notificationVariables(fields: TemplateFields): Map<string, string> {
  const used = new Map<string, string>();
  const note = (text: string | undefined, where: string): void => {
    if (text === undefined) return;
    for (const name of variablesIn(text)) if (!used.has(name)) used.set(name, where);
  };
  note(fields.title, 'notification.title');
  note(fields.body, 'notification.body');
  for (const [key, value] of Object.entries(fields.data ?? {})) note(value, `notification.data.${key}`);
  // Last: a payload made from title, body and data (file.ts) repeats their placeholders.
  note(JSON.stringify(fields.payload), 'notification.payload');
  return used;
}

export interface CompiledNotification {
  /** Every variable used by any provider's encoding. */
  readonly variables: readonly string[];
  /** The APNs payload's JSON text. */
  readonly apnsPayload: Template;
  readonly title: Template;
  readonly body: Template;
  readonly data: readonly (readonly [string, Template])[];
  /** The Web Push payload's JSON text. */
  readonly webPushPayload: Template;
}

export function compileNotification(fields: TemplateFields): CompiledNotification {
  const alert = alertOf(fields.payload);
  const title = fields.title ?? alert.title ?? defaultTitle;
  const body = fields.body ?? alert.body ?? defaultBody;
  const data = Object.entries(fields.data ?? {});
  return {
    variables: [...notificationVariables(fields).keys()],
    apnsPayload: compileJsonTemplate(fields.payload),
    title: compileTextTemplate(title),
    body: compileTextTemplate(body),
    data: data.map(([key, value]) => [key, compileTextTemplate(value)] as const),
    webPushPayload: compileJsonTemplate({ title, body, ...(data.length > 0 && { data: Object.fromEntries(data) }) }),
  };
}

/** The APNs alert's title and body (`alert` is a string, or { title, body }), where the payload has them. */
function alertOf(payload: object): { title?: string; body?: string } {
  const aps = (payload as { aps?: { alert?: unknown } }).aps;
  const alert = aps?.alert;
  if (typeof alert === 'string') return { body: alert };
  if (typeof alert !== 'object' || alert === null) return {};
  const { title, body } = alert as { title?: unknown; body?: unknown };
  return { ...(typeof title === 'string' && { title }), ...(typeof body === 'string' && { body }) };
}
