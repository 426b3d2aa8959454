/**
 * Faults that cannot fire for a given run: found before it starts, so a fault spec that misses its
 * run (a phase after the run's end, a match no notification fits) is said out loud instead of
 * quietly injecting nothing. The run knows its traffic — providers, the fields every request
 * carries, its tokens, when its last notification is planned — and asks here.
 *
 * Statically sure answers only: a fault that *might* fire (a probability, a limit, a connection id)
 * is not reported. What did not fire after all shows as `injected 0` in the result.
 */
import type { FaultMatch, FaultSpec, FaultsDocument } from './spec.js';
import { compileMatch, withId } from './spec.js';
import { Timeline, windowOf } from './timeline.js';
import type { FaultProvider } from './types.js';

/** What every request of one provider in the run looks like, as the fault framework sees it. */
export interface ProviderTraffic {
  readonly topic?: string | undefined;
  readonly pushType?: string | undefined;
  readonly priority?: string | undefined;
  /** The tokens (APNs, FCM) or subscription paths (Web Push) the run sends to; undefined when not known before the run (recipients from a file): token matches are then not judged. */
  readonly tokens?: readonly string[] | undefined;
}

export interface RunTraffic {
  /** Per provider the run sends to. */
  readonly providers: Partial<Record<FaultProvider, ProviderTraffic>>;
  /** When the last notification is planned, in ms from the start of the faults' timeline. */
  readonly plannedEndMs: number;
}

/** One sentence per fault (or phase) of `doc` that cannot fire in a run with this traffic. */
export function faultsThatCannotFire(doc: FaultsDocument, traffic: RunTraffic): string[] {
  const warnings: string[] = [];
  const timeline = new Timeline(doc.phases);
  const faults = doc.faults ?? [];
  const taken = new Set(faults.flatMap((f) => (f.id === undefined ? [] : [f.id])));
  const specs = faults.map((fault, index) => withId(fault, index, taken));
  const end = traffic.plannedEndMs;

  const latePhases = new Set<string>();
  for (const phase of timeline.phases) {
    if (phase.startMs < end) continue;
    latePhases.add(phase.name);
    const inIt = specs.filter((f) => f.phase === phase.name && f.enabled !== false).map((f) => f.id);
    const what = inIt.length === 0 ? '' : `: its fault(s) ${inIt.join(', ')} cannot fire`;
    warnings.push(`phase '${phase.name}' begins at ${seconds(phase.startMs)}, after the run's last notification is planned (${seconds(end)})${what}`);
  }

  for (const fault of specs) {
    if (fault.enabled === false || (fault.phase !== undefined && latePhases.has(fault.phase))) continue;
    const problem = cannotFire(fault, timeline, traffic);
    if (problem !== undefined) warnings.push(`fault '${fault.id ?? fault.kind}' cannot fire: ${problem}`);
  }
  return warnings;
}

function cannotFire(fault: FaultSpec, timeline: Timeline, traffic: RunTraffic): string | undefined {
  const window = windowOf(fault, timeline);
  if (window.startMs >= traffic.plannedEndMs && fault.phase === undefined) {
    return `it starts at ${seconds(window.startMs)}, after the run's last notification is planned (${seconds(traffic.plannedEndMs)})`;
  }
  const sent = Object.keys(traffic.providers) as FaultProvider[];
  const asked = fault.match?.provider === undefined ? sent : ([] as FaultProvider[]).concat(fault.match.provider);
  const reached = asked.filter((p) => sent.includes(p));
  if (reached.length === 0) return `it matches provider ${asked.join(', ')}, but the run sends to ${sent.join(', ')} only`;
  const answerable = fault.kind === 'error' ? reached.filter((p) => fault[p] !== undefined) : reached;
  if (answerable.length === 0) return `an error fault needs a value for the provider it answers for; it has none for ${reached.join(', ')} (add ${reached.map((p) => `${p}: …`).join(', ')})`;
  if (fault.match === undefined) return undefined;
  // Connection ids grow as connections are replaced: never a reason to be sure. Nor are tokens the
  // run does not know in advance: then only the rest of the match is judged.
  const { connection: _connection, ...judged } = fault.match;
  const tokensKnown = answerable.every((provider) => traffic.providers[provider]?.tokens !== undefined);
  const { token: _token, tokens: _tokens, ...withoutTokens } = judged;
  const match: FaultMatch = tokensKnown ? judged : withoutTokens;
  const matcher = compileMatch(match);
  if (matcher === undefined) return undefined;
  const fits = answerable.some((provider) => {
    const { tokens = [], ...fields } = traffic.providers[provider] as ProviderTraffic;
    const probe = { provider, ...fields };
    if (match.token === undefined && match.tokens === undefined) return matcher({ ...probe, token: tokens[0] });
    return tokens.some((token) => matcher({ ...probe, token }));
  });
  return fits ? undefined : `its match ${JSON.stringify(match)} fits no notification of the run (${describeTraffic(answerable, traffic)})`;
}

function describeTraffic(providers: readonly FaultProvider[], traffic: RunTraffic): string {
  return providers
    .map((p) => {
      const t = traffic.providers[p] as ProviderTraffic;
      const fields = [t.topic !== undefined && `topic ${t.topic}`, t.pushType !== undefined && `pushType ${t.pushType}`, t.priority !== undefined && `priority ${t.priority}`].filter(Boolean);
      return `${p}: ${[...fields, t.tokens === undefined ? 'tokens from a file' : `${t.tokens.length} token(s)`].join(', ')}`;
    })
    .join('; ');
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
