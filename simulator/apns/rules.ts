/**
 * Explicit triggers for reasons a mock has no natural cause for (protocols.md §1.7): Forbidden,
 * TopicDisallowed, InternalServerError, ServiceUnavailable, Shutdown, IdleTimeout, … Like Pushy's
 * handler factories (§5.1), but as data, so they also fit the config file and cross a worker:
 *
 *  - topic rules: pushes to a *forbidden* topic get 403 Forbidden, to a *disallowed* one 400
 *    TopicDisallowed. Checked after authentication (the client must be who it says first).
 *  - a script per device token: one reason (every push to the token gets it), or a list played one
 *    push at a time (`['ServiceUnavailable', 'accept']`), after which the token behaves normally.
 *    Scripts apply to pushes that passed every other check, in place of acceptance.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { isApnsReason, type ApnsReason } from '../../core/reasons.js';
import { bundleOf } from './push-types.js';

/** One scripted answer: a reason, or `accept` for a normal answer. */
export type ScriptStep = ApnsReason | 'accept';

export interface PushRules {
  /** Pushes to `topic` (or its bundle's push-type topics) get 400 TopicDisallowed. */
  disallowTopic(topic: string): void;
  /** Pushes to `topic` (or its bundle's push-type topics) get 403 Forbidden. */
  forbidTopic(topic: string): void;
  /** Lifts a disallow or forbid rule. */
  allowTopic(topic: string): void;
  /** One reason for every push to `token`, or a list answered one push at a time. Replaces an earlier script. */
  script(token: string, steps: ScriptStep | readonly ScriptStep[]): void;
  /** Removes the script of `token`, or every script. */
  clearScript(token?: string): void;
  /** Hot path: the reason a topic rule gives, if any. */
  topicRule(topic: string): 'Forbidden' | 'TopicDisallowed' | undefined;
  /** Hot path: the next scripted step for `token`, consuming it from a list. */
  nextStep(token: string): ScriptStep | undefined;
}

export function createPushRules(): PushRules {
  const forbidden = new Set<string>();
  const disallowed = new Set<string>();
  const forever = new Map<string, ScriptStep>();
  const queued = new Map<string, ScriptStep[]>();
  const matches = (set: Set<string>, topic: string): boolean => set.has(topic) || set.has(bundleOf(topic));
  return {
    disallowTopic(topic) {
      disallowed.add(checkTopic(topic));
    },
    forbidTopic(topic) {
      forbidden.add(checkTopic(topic));
    },
    allowTopic(topic) {
      disallowed.delete(topic);
      forbidden.delete(topic);
    },
    script(token, steps) {
      if (typeof token !== 'string' || token === '') throw new InvalidArgumentError('script: token must be a non-empty string');
      forever.delete(token);
      queued.delete(token);
      if (typeof steps === 'string') forever.set(token, checkStep(steps, 'script'));
      else queued.set(token, steps.map((step, i) => checkStep(step, `script[${i}]`)));
    },
    clearScript(token) {
      if (token === undefined) {
        forever.clear();
        queued.clear();
      } else {
        forever.delete(token);
        queued.delete(token);
      }
    },
    topicRule(topic) {
      if (forbidden.size > 0 && matches(forbidden, topic)) return 'Forbidden';
      if (disallowed.size > 0 && matches(disallowed, topic)) return 'TopicDisallowed';
      return undefined;
    },
    nextStep(token) {
      if (forever.size > 0) {
        const step = forever.get(token);
        if (step !== undefined) return step;
      }
      if (queued.size === 0) return undefined;
      const steps = queued.get(token);
      if (steps === undefined) return undefined;
      const step = steps.shift();
      if (steps.length === 0) queued.delete(token);
      return step;
    },
  };
}

function checkTopic(topic: string): string {
  if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError('topic must be a non-empty string, e.g. com.example.app');
  return topic;
}

function checkStep(step: unknown, where: string): ScriptStep {
  if (step === 'accept' || (typeof step === 'string' && isApnsReason(step))) return step;
  throw new InvalidArgumentError(`${where}: ${JSON.stringify(step)} is neither 'accept' nor an APNs reason (see core/reasons.ts, e.g. 'ServiceUnavailable')`);
}
