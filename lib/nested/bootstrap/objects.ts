// What `kubeadm init` leaves in a cluster so that `kubeadm join` works, for a nested cluster
// (phases bootstrap-token, upload-config and addon): the public `cluster-info` ConfigMap
// (the CA and the apiserver's address; the controller-manager's bootstrapsigner adds one JWS
// per signing token), the RBAC that lets anonymous users read it and bootstrappers create
// CSRs that are auto-approved, nodes renew theirs, bootstrappers and nodes read the
// `kubeadm-config` and `kubelet-config` ConfigMaps and look up nodes; and the kube-proxy and
// CoreDNS add-ons. Names are kubeadm's own, so a real kubeadm join finds what it looks for.
// Pure: values in, objects out.
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
  RbacV1Subject,
} from "@kubernetes/client-node";
import { stringify } from "yaml";
import { DEFAULT_NODE_TOKEN_GROUP } from "@/lib/nested/bootstrap/token";

export interface JoinPreparation {
  /** The apiserver's address as workers reach it (`https://host:port`). */
  apiserverUrl: string;
  caPem: string;
  version: string;
  serviceCidr: string;
  podCidr: string;
  clusterDomain: string;
  /** The in-cluster DNS Service's address (the tenth of the Service range, as kubeadm picks it). */
  dnsServiceIp: string;
  images: { kubeProxy: string; coreDns: string };
  labels: Record<string, string>;
}

const NODES_GROUP = "system:nodes";
const group = (name: string): RbacV1Subject => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
const meta = (p: JoinPreparation, name: string, namespace?: string) => ({ name, ...(namespace && { namespace }), labels: p.labels });

/** `cluster-info` in kube-public: a kubeconfig with the cluster's CA and address, no user. */
export function clusterInfoConfigMap(p: JoinPreparation): V1ConfigMap {
  const kubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "", cluster: { "certificate-authority-data": Buffer.from(p.caPem).toString("base64"), server: p.apiserverUrl } }],
    contexts: null,
    "current-context": "",
    preferences: {},
    users: null,
  });
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(p, "cluster-info", "kube-public"), data: { kubeconfig } };
}

/** The RBAC of kubeadm's bootstrap-token phase and of its config uploads. */
export function bootstrapRbac(p: JoinPreparation): (V1Role | V1RoleBinding | V1ClusterRole | V1ClusterRoleBinding)[] {
  const bootstrappers = group(DEFAULT_NODE_TOKEN_GROUP);
  const clusterBinding = (name: string, role: string, subjects: RbacV1Subject[]): V1ClusterRoleBinding => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(p, name),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects,
  });
  const readOne = (name: string, namespace: string, resource: string, resourceName: string, subjects: RbacV1Subject[]): [V1Role, V1RoleBinding] => [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(p, name, namespace), rules: [{ apiGroups: [""], resources: [resource], resourceNames: [resourceName], verbs: ["get"] }] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(p, name, namespace),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects,
    },
  ];
  return [
    // Bootstrappers may create CSRs …
    clusterBinding("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", [bootstrappers]),
    // … which the csrapprover approves for node client certificates …
    clusterBinding("kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", [bootstrappers]),
    // … and nodes renew their own.
    clusterBinding("kubeadm:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [group(NODES_GROUP)]),
    // join looks for a node of the same name before it starts.
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(p, "kubeadm:get-nodes"), rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }] },
    clusterBinding("kubeadm:get-nodes", "kubeadm:get-nodes", [bootstrappers]),
    // Anyone may read cluster-info: what makes token discovery work before the joiner trusts anything.
    ...readOne("kubeadm:bootstrap-signer-clusterinfo", "kube-public", "configmaps", "cluster-info", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "system:anonymous" }]),
    ...readOne("kubeadm:nodes-kubeadm-config", "kube-system", "configmaps", "kubeadm-config", [bootstrappers, group(NODES_GROUP)]),
    ...readOne("kubeadm:kubelet-config", "kube-system", "configmaps", "kubelet-config", [bootstrappers, group(NODES_GROUP)]),
  ];
}

/** `kubeadm-config` (ClusterConfiguration) and `kubelet-config` (KubeletConfiguration) in kube-system. */
export function configConfigMaps(p: JoinPreparation): V1ConfigMap[] {
  const endpoint = new URL(p.apiserverUrl);
  const clusterConfiguration = stringify({
    apiVersion: "kubeadm.k8s.io/v1beta4",
    kind: "ClusterConfiguration",
    kubernetesVersion: p.version,
    controlPlaneEndpoint: `${endpoint.hostname}:${endpoint.port || "443"}`,
    certificatesDir: "/etc/kubernetes/pki",
    imageRepository: "registry.k8s.io",
    clusterName: "kubernetes",
    networking: { dnsDomain: p.clusterDomain, serviceSubnet: p.serviceCidr, podSubnet: p.podCidr },
    dns: {},
    etcd: { external: { endpoints: [] } },
  });
  const kubeletConfiguration = stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" } },
    authorization: { mode: "Webhook" },
    cgroupDriver: "systemd",
    clusterDNS: [p.dnsServiceIp],
    clusterDomain: p.clusterDomain,
    rotateCertificates: true,
    staticPodPath: "/etc/kubernetes/manifests",
  });
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(p, "kubeadm-config", "kube-system"), data: { ClusterConfiguration: clusterConfiguration } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(p, "kubelet-config", "kube-system"), data: { kubelet: kubeletConfiguration } },
  ];
}

/** kube-proxy as kubeadm's add-on phase makes it: ServiceAccount, its node-proxier binding, config, DaemonSet. */
export function kubeProxyAddon(p: JoinPreparation): (V1ServiceAccount | V1ClusterRoleBinding | V1ConfigMap | V1DaemonSet | V1Role | V1RoleBinding)[] {
  const labels = { ...p.labels, "k8s-app": "kube-proxy" };
  const kubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "default", cluster: { "certificate-authority": "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", server: p.apiserverUrl } }],
    contexts: [{ name: "default", context: { cluster: "default", namespace: "default", user: "default" } }],
    "current-context": "default",
    users: [{ name: "default", user: { tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" } }],
  });
  const config = stringify({ apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration", clusterCIDR: p.podCidr, mode: "iptables", clientConnection: { kubeconfig: "/var/lib/kube-proxy/kubeconfig.conf" } });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(p, "kube-proxy", "kube-system") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(p, "kubeadm:node-proxier"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node-proxier" },
      subjects: [{ kind: "ServiceAccount", name: "kube-proxy", namespace: "kube-system" }],
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { ...meta(p, "kube-proxy", "kube-system"), labels: { ...labels, app: "kube-proxy" } }, data: { "config.conf": config, "kubeconfig.conf": kubeconfig } },
    // kubeadm lets bootstrappers read kube-proxy's config (join's preflight does).
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(p, "kube-proxy", "kube-system"),
      rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["kube-proxy"], verbs: ["get"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(p, "kube-proxy", "kube-system"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kube-proxy" },
      subjects: [group(DEFAULT_NODE_TOKEN_GROUP)],
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { ...meta(p, "kube-proxy", "kube-system"), labels },
      spec: {
        selector: { matchLabels: { "k8s-app": "kube-proxy" } },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels: { "k8s-app": "kube-proxy" } },
          spec: {
            priorityClassName: "system-node-critical",
            serviceAccountName: "kube-proxy",
            hostNetwork: true,
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "kube-proxy",
                image: p.images.kubeProxy,
                command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: "kube-proxy", mountPath: "/var/lib/kube-proxy" },
                  { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                  { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "kube-proxy", configMap: { name: "kube-proxy" } },
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
              { name: "lib-modules", hostPath: { path: "/lib/modules" } },
            ],
          },
        },
      },
    },
  ];
}

/** CoreDNS as kubeadm's add-on phase makes it: account, role and binding, Corefile, Deployment, the kube-dns Service. */
export function coreDnsAddon(p: JoinPreparation): (V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1ConfigMap | V1Deployment | V1Service)[] {
  const selector = { "k8s-app": "kube-dns" };
  const corefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${p.clusterDomain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(p, "coredns", "kube-system") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta(p, "system:coredns"),
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(p, "system:coredns"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
      subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: "kube-system" }],
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(p, "coredns", "kube-system"), data: { Corefile: corefile } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { ...meta(p, "coredns", "kube-system"), labels: { ...p.labels, ...selector } },
      spec: {
        replicas: 2,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: "coredns",
            tolerations: [
              { key: "CriticalAddonsOnly", operator: "Exists" },
              { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            ],
            nodeSelector: { "kubernetes.io/os": "linux" },
            containers: [
              {
                name: "coredns",
                image: p.images.coreDns,
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
                resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
                readinessProbe: { httpGet: { path: "/ready", port: 8181, scheme: "HTTP" } },
                livenessProbe: { httpGet: { path: "/health", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 60 },
                volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { ...meta(p, "kube-dns", "kube-system"), labels: { ...p.labels, ...selector, "kubernetes.io/name": "CoreDNS" } },
      spec: {
        selector,
        clusterIP: p.dnsServiceIp,
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
        ],
      },
    },
  ];
}

/** The tenth address of an IPv4 Service range (`10.112.0.0/16` → `10.112.0.10`), kubeadm's DNS address. */
export function dnsServiceIpOf(serviceCidr: string): string {
  const [base] = serviceCidr.split("/");
  const octets = base!.split(".").map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) + 10;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** Everything join needs, in the order it is applied. */
export function joinPreparationObjects(p: JoinPreparation) {
  return [clusterInfoConfigMap(p), ...bootstrapRbac(p), ...configConfigMaps(p), ...kubeProxyAddon(p), ...coreDnsAddon(p)];
}
