// The objects of a hosted control plane, all in its own namespace of the host cluster (the
// root: deleting it deletes everything): the PKI as Secrets (files named as kubeadm names
// them), etcd as a StatefulSet with a claim per member behind a headless and a client
// Service, kube-apiserver, kube-controller-manager and kube-scheduler as Deployments with
// leader election, the apiserver's Service, and a NetworkPolicy. Pure: values in, objects out.
import type {
  V1Container,
  V1Deployment,
  V1Namespace,
  V1NetworkPolicy,
  V1PodSpec,
  V1Probe,
  V1Secret,
  V1Service,
  V1StatefulSet,
  V1Toleration,
} from "@kubernetes/client-node";
import type { ClusterPki } from "@/lib/pki/cluster-pki";
import { kubeconfigYaml } from "@/lib/pki/kubeconfig";
import { APISERVER_PORT, COMPONENT_LABEL, OBJECT_NAMES as N, type NestedClusterSpec } from "@/lib/nested/types";

/** What every manifest needs: where, whose labels, the request, the host's placement rules. */
export interface PlaneContext {
  namespace: string;
  labels: Record<string, string>;
  spec: NestedClusterSpec;
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

const PKI_DIR = "/etc/kubernetes/pki";
const ETCD_PKI_DIR = "/etc/kubernetes/pki/etcd";
const KUBECONFIG_DIR = "/etc/kubernetes/config";
const ETCD_DATA = "/var/lib/etcd";

const labelled = (ctx: PlaneContext, component?: string) => ({ ...ctx.labels, ...(component && { [COMPONENT_LABEL]: component }) });
const selectorOf = (ctx: PlaneContext, component: string) => ({ [COMPONENT_LABEL]: component, "minicloud.io/workload": ctx.labels["minicloud.io/workload"]! });

/** The apiserver's address inside the host cluster, as the components and the kubeconfigs name it. */
export function apiserverInClusterUrl(ctx: Pick<PlaneContext, "namespace">): string {
  return `https://${N.apiserverService}.${ctx.namespace}.svc:${APISERVER_PORT}`;
}

/** The name the apiserver's serving certificate is checked against when reached through a tunnel. */
export function apiserverServerName(namespace: string): string {
  return `${N.apiserverService}.${namespace}.svc`;
}

/** The namespace: the root of everything the control plane is. */
export function namespaceManifest(ctx: PlaneContext): V1Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: ctx.namespace, labels: labelled(ctx) } };
}

/** The apiserver's Service, typed by the exposure asked for. */
export function apiserverService(ctx: PlaneContext): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: N.apiserverService, namespace: ctx.namespace, labels: labelled(ctx, "kube-apiserver") },
    spec: {
      type: ctx.spec.exposure,
      selector: selectorOf(ctx, "kube-apiserver"),
      ports: [{ name: "https", port: APISERVER_PORT, targetPort: APISERVER_PORT, protocol: "TCP" }],
    },
  };
}

const data = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]));

function secret(ctx: PlaneContext, name: string, component: string, files: Record<string, string>): V1Secret {
  return { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name, namespace: ctx.namespace, labels: labelled(ctx, component) }, data: data(files) };
}

/** The PKI as the components read it: one Secret per component, holding only what it needs. */
export function pkiSecrets(ctx: PlaneContext, pki: ClusterPki): V1Secret[] {
  const { cas, leaves } = pki;
  const server = apiserverInClusterUrl(ctx);
  const kubeconfig = (user: "controller-manager" | "scheduler" | "admin", userName: string) =>
    kubeconfigYaml({ clusterName: "nested", server, caPem: cas.ca.certPem, userName, credentials: { certificate: leaves[user] } });
  return [
    secret(ctx, N.secrets.etcd, "etcd", {
      "ca.crt": cas["etcd-ca"].certPem,
      "server.crt": leaves["etcd-server"].certPem,
      "server.key": leaves["etcd-server"].keyPem,
      "peer.crt": leaves["etcd-peer"].certPem,
      "peer.key": leaves["etcd-peer"].keyPem,
      "healthcheck-client.crt": leaves["etcd-healthcheck-client"].certPem,
      "healthcheck-client.key": leaves["etcd-healthcheck-client"].keyPem,
    }),
    secret(ctx, N.secrets.apiserver, "kube-apiserver", {
      "ca.crt": cas.ca.certPem,
      "apiserver.crt": leaves.apiserver.certPem,
      "apiserver.key": leaves.apiserver.keyPem,
      "apiserver-kubelet-client.crt": leaves["apiserver-kubelet-client"].certPem,
      "apiserver-kubelet-client.key": leaves["apiserver-kubelet-client"].keyPem,
      "front-proxy-ca.crt": cas["front-proxy-ca"].certPem,
      "front-proxy-client.crt": leaves["front-proxy-client"].certPem,
      "front-proxy-client.key": leaves["front-proxy-client"].keyPem,
      "sa.pub": pki.serviceAccount.publicKeyPem,
      "sa.key": pki.serviceAccount.keyPem,
      "etcd-ca.crt": cas["etcd-ca"].certPem,
      "apiserver-etcd-client.crt": leaves["apiserver-etcd-client"].certPem,
      "apiserver-etcd-client.key": leaves["apiserver-etcd-client"].keyPem,
    }),
    secret(ctx, N.secrets.controllerManager, "kube-controller-manager", {
      "ca.crt": cas.ca.certPem,
      "ca.key": cas.ca.keyPem,
      "sa.key": pki.serviceAccount.keyPem,
      "front-proxy-ca.crt": cas["front-proxy-ca"].certPem,
      "controller-manager.conf": kubeconfig("controller-manager", "system:kube-controller-manager"),
    }),
    secret(ctx, N.secrets.scheduler, "kube-scheduler", { "scheduler.conf": kubeconfig("scheduler", "system:kube-scheduler") }),
    secret(ctx, N.secrets.admin, "admin", { "admin.conf": kubeconfig("admin", "kubernetes-admin") }),
  ];
}

const httpsProbe = (path: string, port: number, periodSeconds = 5, failureThreshold = 3): V1Probe => ({
  httpGet: { path, port, scheme: "HTTPS" },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold,
});

function podSpec(ctx: PlaneContext, containers: V1Container[], volumes: V1PodSpec["volumes"]): V1PodSpec {
  return {
    // The components authenticate with their own certificates; no token of the host cluster.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    nodeSelector: Object.keys(ctx.nodeSelector).length ? ctx.nodeSelector : undefined,
    tolerations: ctx.tolerations.length ? ctx.tolerations : undefined,
    containers,
    volumes,
  };
}

/** etcd's headless (peer) Service and its client Service. */
export function etcdServices(ctx: PlaneContext): V1Service[] {
  const selector = selectorOf(ctx, "etcd");
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: N.etcdPeerService, namespace: ctx.namespace, labels: labelled(ctx, "etcd") },
      spec: {
        clusterIP: "None",
        // Members must find each other before they are ready.
        publishNotReadyAddresses: true,
        selector,
        ports: [
          { name: "client", port: 2379, targetPort: 2379 },
          { name: "peer", port: 2380, targetPort: 2380 },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: N.etcdClientService, namespace: ctx.namespace, labels: labelled(ctx, "etcd") },
      spec: { selector, ports: [{ name: "client", port: 2379, targetPort: 2379 }] },
    },
  ];
}

/** etcd's members' stable names (`etcd-0`, …). */
export const etcdMembers = (spec: Pick<NestedClusterSpec, "etcdReplicas">) => Array.from({ length: spec.etcdReplicas }, (_, i) => `${N.etcdStatefulSet}-${i}`);

/** The etcd StatefulSet: one member per replica, TLS for clients and peers, a claim each. */
export function etcdStatefulSet(ctx: PlaneContext): V1StatefulSet {
  const peerHost = (member: string) => `${member}.${N.etcdPeerService}.${ctx.namespace}.svc`;
  const initialCluster = etcdMembers(ctx.spec).map((m) => `${m}=https://${peerHost(m)}:2380`).join(",");
  const self = `$(POD_NAME).${N.etcdPeerService}.${ctx.namespace}.svc`;
  const container: V1Container = {
    name: "etcd",
    image: ctx.spec.images.etcd,
    command: [
      "etcd",
      "--name=$(POD_NAME)",
      `--data-dir=${ETCD_DATA}/data`,
      "--listen-client-urls=https://0.0.0.0:2379",
      `--advertise-client-urls=https://${self}:2379`,
      "--listen-peer-urls=https://0.0.0.0:2380",
      `--initial-advertise-peer-urls=https://${self}:2380`,
      `--initial-cluster=${initialCluster}`,
      "--initial-cluster-state=new",
      `--initial-cluster-token=${ctx.namespace}`,
      "--listen-metrics-urls=http://0.0.0.0:2381",
      `--trusted-ca-file=${ETCD_PKI_DIR}/ca.crt`,
      `--cert-file=${ETCD_PKI_DIR}/server.crt`,
      `--key-file=${ETCD_PKI_DIR}/server.key`,
      "--client-cert-auth=true",
      `--peer-trusted-ca-file=${ETCD_PKI_DIR}/ca.crt`,
      `--peer-cert-file=${ETCD_PKI_DIR}/peer.crt`,
      `--peer-key-file=${ETCD_PKI_DIR}/peer.key`,
      "--peer-client-cert-auth=true",
      "--snapshot-count=10000",
    ],
    env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
    ports: [
      { name: "client", containerPort: 2379 },
      { name: "peer", containerPort: 2380 },
      { name: "metrics", containerPort: 2381 },
    ],
    readinessProbe: { httpGet: { path: "/readyz", port: 2381, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: "/livez", port: 2381, scheme: "HTTP" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 8 },
    resources: { requests: { cpu: "100m", memory: "256Mi" } },
    volumeMounts: [
      { name: "data", mountPath: ETCD_DATA },
      { name: "certs", mountPath: ETCD_PKI_DIR, readOnly: true },
    ],
  };
  const labels = labelled(ctx, "etcd");
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: N.etcdStatefulSet, namespace: ctx.namespace, labels },
    spec: {
      serviceName: N.etcdPeerService,
      replicas: ctx.spec.etcdReplicas,
      // Members start together: each waits for the others to form the cluster.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selectorOf(ctx, "etcd") },
      template: { metadata: { labels }, spec: podSpec(ctx, [container], [{ name: "certs", secret: { secretName: N.secrets.etcd, defaultMode: 0o400 } }]) },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${ctx.spec.etcdStorageGib}Gi` } } },
        },
      ],
    },
  };
}

function deployment(ctx: PlaneContext, name: string, replicas: number, container: V1Container, secretName: string, mountPath: string): V1Deployment {
  const labels = labelled(ctx, name);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: selectorOf(ctx, name) },
      template: {
        metadata: { labels },
        spec: podSpec(ctx, [{ ...container, volumeMounts: [{ name: "certs", mountPath, readOnly: true }] }], [
          { name: "certs", secret: { secretName, defaultMode: 0o400 } },
        ]),
      },
    },
  };
}

/** kube-apiserver: etcd over mutual TLS, the cluster CA for clients, service-account signing, the aggregation layer. */
export function apiserverDeployment(ctx: PlaneContext): V1Deployment {
  const pki = (file: string) => `${PKI_DIR}/${file}`;
  const container: V1Container = {
    name: "kube-apiserver",
    image: ctx.spec.images.apiserver,
    command: [
      "kube-apiserver",
      "--advertise-address=$(POD_IP)",
      "--bind-address=0.0.0.0",
      `--secure-port=${APISERVER_PORT}`,
      `--etcd-servers=https://${N.etcdClientService}.${ctx.namespace}.svc:2379`,
      `--etcd-cafile=${pki("etcd-ca.crt")}`,
      `--etcd-certfile=${pki("apiserver-etcd-client.crt")}`,
      `--etcd-keyfile=${pki("apiserver-etcd-client.key")}`,
      `--tls-cert-file=${pki("apiserver.crt")}`,
      `--tls-private-key-file=${pki("apiserver.key")}`,
      `--client-ca-file=${pki("ca.crt")}`,
      `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
      `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
      "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
      `--proxy-client-cert-file=${pki("front-proxy-client.crt")}`,
      `--proxy-client-key-file=${pki("front-proxy-client.key")}`,
      `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      `--service-account-issuer=https://kubernetes.default.svc.${ctx.spec.clusterDomain}`,
      `--service-account-key-file=${pki("sa.pub")}`,
      `--service-account-signing-key-file=${pki("sa.key")}`,
      `--service-cluster-ip-range=${ctx.spec.serviceCidr}`,
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      "--enable-bootstrap-token-auth=true",
      "--allow-privileged=true",
      "--profiling=false",
    ],
    env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
    ports: [{ name: "https", containerPort: APISERVER_PORT }],
    readinessProbe: httpsProbe("/readyz", APISERVER_PORT, 2),
    livenessProbe: httpsProbe("/livez", APISERVER_PORT, 10, 8),
    resources: { requests: { cpu: "250m", memory: "512Mi" } },
  };
  return deployment(ctx, N.apiserver, ctx.spec.apiserverReplicas, container, N.secrets.apiserver, PKI_DIR);
}

/** kube-controller-manager: leader election on, a ServiceAccount per controller, the cluster CA signing CSRs. */
export function controllerManagerDeployment(ctx: PlaneContext): V1Deployment {
  const file = (name: string) => `${KUBECONFIG_DIR}/${name}`;
  const kubeconfig = file("controller-manager.conf");
  const container: V1Container = {
    name: "kube-controller-manager",
    image: ctx.spec.images.controllerManager,
    command: [
      "kube-controller-manager",
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=0.0.0.0",
      "--secure-port=10257",
      "--leader-elect=true",
      "--use-service-account-credentials=true",
      "--controllers=*,bootstrapsigner,tokencleaner",
      `--service-account-private-key-file=${file("sa.key")}`,
      `--root-ca-file=${file("ca.crt")}`,
      `--cluster-signing-cert-file=${file("ca.crt")}`,
      `--cluster-signing-key-file=${file("ca.key")}`,
      `--requestheader-client-ca-file=${file("front-proxy-ca.crt")}`,
      `--service-cluster-ip-range=${ctx.spec.serviceCidr}`,
      "--profiling=false",
    ],
    ports: [{ name: "https", containerPort: 10257 }],
    readinessProbe: httpsProbe("/healthz", 10257, 2),
    livenessProbe: httpsProbe("/healthz", 10257, 10, 8),
    resources: { requests: { cpu: "100m", memory: "128Mi" } },
  };
  return deployment(ctx, N.controllerManager, 1, container, N.secrets.controllerManager, KUBECONFIG_DIR);
}

/** kube-scheduler: leader election on. */
export function schedulerDeployment(ctx: PlaneContext): V1Deployment {
  const kubeconfig = `${KUBECONFIG_DIR}/scheduler.conf`;
  const container: V1Container = {
    name: "kube-scheduler",
    image: ctx.spec.images.scheduler,
    command: [
      "kube-scheduler",
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=0.0.0.0",
      "--secure-port=10259",
      "--leader-elect=true",
      "--profiling=false",
    ],
    ports: [{ name: "https", containerPort: 10259 }],
    readinessProbe: httpsProbe("/healthz", 10259, 2),
    livenessProbe: httpsProbe("/healthz", 10259, 10, 8),
    resources: { requests: { cpu: "50m", memory: "64Mi" } },
  };
  return deployment(ctx, N.scheduler, 1, container, N.secrets.scheduler, KUBECONFIG_DIR);
}

/**
 * The namespace admits: anyone to the apiserver's port; etcd only from the apiserver and its
 * own members; nothing else (the controller-manager and scheduler serve only health).
 */
export function networkPolicy(ctx: PlaneContext): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: N.networkPolicy, namespace: ctx.namespace, labels: labelled(ctx) },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        { ports: [{ port: APISERVER_PORT, protocol: "TCP" }], _from: undefined },
        {
          _from: [{ podSelector: { matchLabels: { [COMPONENT_LABEL]: "kube-apiserver" } } }, { podSelector: { matchLabels: { [COMPONENT_LABEL]: "etcd" } } }],
          ports: [
            { port: 2379, protocol: "TCP" },
            { port: 2380, protocol: "TCP" },
          ],
        },
      ],
    },
  };
}
