import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { execForm, parseDockerfile } from '../docker/parse-dockerfile.js';

/** The parts of a Kubernetes object the tests read. */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: unknown;
  stringData?: unknown;
}

/** A container as the tests read it. */
interface Container {
  args: string[];
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}

/** The pod template spec as the tests read it. */
interface PodSpec {
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Container[];
  volumes: {
    name: string;
    projected?: { sources: { configMap: { name: string; items?: { key: string; path: string }[] } }[] };
    configMap?: { name: string };
    secret?: { secretName: string };
  }[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(root, 'examples/kubernetes');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const objects: K8sObject[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return doc.toJS() as K8sObject;
  }),
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const deployment = byKind('Deployment')[0]!;
const template = deployment.spec!.template as {
  metadata: { annotations: Record<string, string> };
  spec: PodSpec;
};
const pod = template.spec;
const container = pod.containers[0]!;
const runtime = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).stages.at(-1)!;
const dockerArg = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1)!.args;

describe('Kubernetes example', () => {
  it('holds a Namespace, ServiceAccount, Deployment, Service and PodDisruptionBudget, all in one namespace', () => {
    expect(files).toEqual(['roster-controller.yaml']);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, object.kind).toBe('roster');
    }
  });

  it('runs two replicas of the image command, probing /healthz for liveness and /readyz for readiness', () => {
    expect(deployment.spec!.replicas).toBe(2);
    expect(container.args).toEqual(execForm(dockerArg('CMD')));
    const port = Number(container.args[container.args.indexOf('--port') + 1]);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.resources.requests).toHaveProperty('memory');
    expect(container.resources.limits).toHaveProperty('memory');
  });

  it('runs as the image user, non-root, read-only, with every capability dropped', () => {
    const imageUid = Number(dockerArg('USER').split(':')[0]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // A read-only root file system still needs a writable /tmp.
    expect(container.volumeMounts.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('takes every secret from a secretKeyRef and never holds a secret value', () => {
    expect(byKind('Secret')).toEqual([]);
    const env = new Map(container.env.map((e) => [e.name, e]));
    for (const name of ['DATABASE_URL', 'ROSTER_API_TOKEN', 'ROSTER_STATE_DATABASE_URL']) {
      expect(env.get(name)?.valueFrom?.secretKeyRef, name).toBeDefined();
      expect(env.get(name)?.value, name).toBeUndefined();
    }
    for (const variable of container.env) {
      if (/SECRET|TOKEN|PASSWORD|DATABASE_URL/.test(variable.name)) {
        expect(variable.value, variable.name).toBeUndefined();
      }
    }
    // The certificate path points into the mounted secret volume.
    const certificate = env.get('AZURE_CLIENT_CERTIFICATE_PATH')!.value!;
    const secretVolumes = pod.volumes.filter((v) => v.secret).map((v) => v.name);
    const mount = container.volumeMounts.find((m) => certificate.startsWith(`${m.mountPath}/`));
    expect(mount && secretVolumes.includes(mount.name)).toBe(true);
    expect(mount?.readOnly).toBe(true);
  });

  it('mounts the configuration where Roster reads it: desired-state/, its overrides/ and templates/', () => {
    const mounts = new Map(container.volumeMounts.map((m) => [m.mountPath, m]));
    const workdir = dockerArg('WORKDIR');
    const desired = pod.volumes.find((v) => v.name === mounts.get(`${workdir}/desired-state`)?.name);
    const sources = desired?.projected?.sources ?? [];
    expect(sources.find((s) => s.configMap.name === 'roster-settings')?.configMap.items).toBeUndefined();
    const overrides = sources.find((s) => s.configMap.name === 'roster-overrides')?.configMap.items ?? [];
    // The example lists the repository's own override files, placed under overrides/.
    expect(overrides.map((i) => i.key).sort()).toEqual(
      readdirSync(join(root, 'desired-state/overrides'))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort(),
    );
    for (const item of overrides) expect(item.path).toBe(`overrides/${item.key}`);
    const templates = pod.volumes.find((v) => v.name === mounts.get(`${workdir}/templates`)?.name);
    expect(templates?.configMap?.name).toBe('roster-templates');
    expect(existsSync(join(root, 'desired-state/roster.yaml'))).toBe(true);
  });

  it('exposes the status API on a ClusterIP Service and marks /metrics for Prometheus', () => {
    const service = byKind('Service')[0]!;
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      selector: (deployment.spec!.selector as { matchLabels: unknown }).matchLabels,
      ports: [{ name: 'http', targetPort: 'http' }],
    });
    for (const annotations of [template.metadata.annotations, service.metadata.annotations!]) {
      expect(annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(container.ports[0]!.containerPort),
        'prometheus.io/path': '/metrics',
      });
    }
  });
});
