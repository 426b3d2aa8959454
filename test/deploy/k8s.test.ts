/**
 * deploy/k8s validated offline: every manifest against Kubernetes' own OpenAPI schema (the
 * kubernetes-models package: types, required fields, enums such as completionMode and
 * restartPolicy), the fields pushsim relies on checked by name (Kubernetes ignores a misspelt one,
 * so a typo would pass the schema and quietly run a NonIndexed Job), the files agreeing with each
 * other, and the Dockerfile with the package. The contract itself — N processes with
 * JOB_COMPLETION_INDEX, then the merge command — runs in test/cli/run-shards.test.ts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const root = join(import.meta.dirname, '../..');
const k8s = join(root, 'deploy/k8s');

async function manifest(file: string): Promise<unknown> {
  // As the README's recipe fills it in with envsubst.
  return parse((await readFile(join(k8s, file), 'utf8')).replaceAll('${START_AT}', '2026-12-06T04:30:00Z')) as unknown;
}

const volume = z.object({ name: z.string(), persistentVolumeClaim: z.object({ claimName: z.string() }) });
const mount = z.object({ name: z.string(), mountPath: z.string() });
const env = z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.object({ fieldRef: z.object({ fieldPath: z.string() }) }).optional() });

/** The fields of a Job that pushsim's recipe relies on, by their exact names. */
const jobFields = z.object({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    completionMode: z.string().optional(),
    completions: z.number().optional(),
    parallelism: z.number().optional(),
    backoffLimit: z.literal(0),
    template: z.object({
      spec: z.object({
        restartPolicy: z.literal('Never'),
        securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number(), fsGroup: z.number() }),
        containers: z.array(z.object({ image: z.string(), command: z.array(z.string()).optional(), args: z.array(z.string()), env: z.array(env).optional(), volumeMounts: z.array(mount) })).length(1),
        volumes: z.array(volume),
      }),
    }),
  }),
});

type JobFields = z.infer<typeof jobFields>;

/** Valid against Kubernetes' schema, and with the fields pushsim relies on. */
async function job(file: string): Promise<JobFields> {
  const data = await manifest(file);
  expect(() => new Job(data as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
  return jobFields.parse(data);
}

const containerOf = (j: JobFields): JobFields['spec']['template']['spec']['containers'][number] => j.spec.template.spec.containers[0] as JobFields['spec']['template']['spec']['containers'][number];

describe('deploy/k8s', () => {
  it('job.yaml is an Indexed Job: parallelism = completions = PUSHSIM_SHARDS, one shard per pod, each writing its own directory', async () => {
    const shards = await job('job.yaml');
    expect(shards.spec.completionMode).toBe('Indexed');
    const n = shards.spec.completions;
    expect(n).toBeGreaterThan(1);
    expect(shards.spec.parallelism).toBe(n);
    const container = containerOf(shards);
    const vars = new Map((container.env ?? []).map((e) => [e.name, e]));
    expect(vars.get('PUSHSIM_SHARDS')?.value).toBe(String(n));
    expect(vars.get('PUSHSIM_START_AT')?.value).toBe('2026-12-06T04:30:00Z');
    // Declared so $(JOB_COMPLETION_INDEX) expands in args; Kubernetes' own value, from the same annotation.
    expect(vars.get('JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    expect(container.args[0]).toBe('run');
    expect(container.args).not.toContain('--shard');
    const out = container.args[container.args.indexOf('--out') + 1];
    expect(out).toBe('/results/shard-$(JOB_COMPLETION_INDEX)');
    expect(container.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
  });

  it('merge-job.yaml merges every shard directory of the same volume into /results/merged', async () => {
    const shards = await job('job.yaml');
    const merge = await job('merge-job.yaml');
    const container = containerOf(merge);
    expect(container.command).toEqual(['sh', '-c']);
    expect(container.args).toEqual(['exec node dist/cli/bin.js merge /results/shard-*/result.json --out /results/merged']);
    expect(container.image).toBe(containerOf(shards).image);
    expect(container.volumeMounts).toEqual(containerOf(shards).volumeMounts);
    expect(merge.spec.template.spec.volumes).toEqual(shards.spec.template.spec.volumes);
  });

  it('pvc.yaml is the claim both Jobs mount', async () => {
    const data = await manifest('pvc.yaml');
    expect(() => new PersistentVolumeClaim(data as ConstructorParameters<typeof PersistentVolumeClaim>[0]).validate()).not.toThrow();
    const claim = z.object({ kind: z.literal('PersistentVolumeClaim'), metadata: z.object({ name: z.string() }), spec: z.object({ accessModes: z.array(z.string()) }) }).parse(data);
    const shards = await job('job.yaml');
    expect(shards.spec.template.spec.volumes[0]?.persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it("a misspelt field the schema would let through is caught by the fields' check", async () => {
    const data = (await manifest('job.yaml')) as { spec: Record<string, unknown> };
    const { completionMode, ...rest } = data.spec;
    const misspelt: unknown = { ...data, spec: { ...rest, completionmode: completionMode } };
    expect(() => new Job(misspelt as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    expect(jobFields.parse(misspelt).spec.completionMode).toBeUndefined();
    const typo: unknown = { ...data, spec: { ...data.spec, completionMode: 'Indexd' } };
    expect(() => new Job(typo as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/completionMode must be equal to one of the allowed values/);
  });

  it('the Dockerfile builds what the package declares: every source directory, its bin, its Node, as a non-root user', async () => {
    const dockerfile = await readFile(join(k8s, 'Dockerfile'), 'utf8');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; engines: { node: string }; dependencies: Record<string, string>; scripts: Record<string, string> };
    const build = JSON.parse(await readFile(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const lines = dockerfile.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const copied = lines.filter((line) => line.startsWith('COPY ') && !line.includes('--from')).flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const source of copied) expect(existsSync(join(root, source)), source).toBe(true);
    for (const source of build.include) expect(copied, `tsconfig.build.json includes ${source}`).toContain(source);
    // And what `npm run build` runs after tsc (build/inline-dependencies.mjs).
    for (const script of [...(pkg.scripts['build'] ?? '').matchAll(/\bnode (\S+)/g)].map((m) => m[1] as string)) expect(copied, `npm run build runs ${script}`).toContain(script.split('/')[0]);
    const from = lines.filter((line) => line.startsWith('FROM ')).map((line) => /^FROM node:(\d+)-/.exec(line)?.[1]);
    expect(from).toEqual([/^>=(\d+)/.exec(pkg.engines.node)?.[1], /^>=(\d+)/.exec(pkg.engines.node)?.[1]]);
    expect(lines).toContain(`ENTRYPOINT ["node", "${pkg.bin['pushsim'] as string}"]`);
    expect(lines).toContain('USER node');
    expect(lines).toContain('RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force');
    // --ignore-scripts is safe only while no runtime dependency needs an install script.
    const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    expect(Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript === true && p.dev !== true).map(([name]) => name)).toEqual([]);
    const ignored = (await readFile(join(root, '.dockerignore'), 'utf8')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });
});
