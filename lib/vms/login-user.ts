// The account ssh logs into on a VM. cloud-init puts the injected keys (the owner's and the
// panel's) on the image's *default user*, whose name each cloud image chooses: `fedora` on
// Fedora Cloud, `ubuntu` on Ubuntu, `cirros` on CirrOS, `root` on the harness's tiny guest.
// A VM created with an explicit login (`spec.loginUser`) keeps it. Pure: the browser may use it.

/** The default user of the cloud images we know, by the last path segment of the image's repository. */
const DEFAULT_USERS: Record<string, string> = {
  fedora: "fedora",
  ubuntu: "ubuntu",
  debian: "debian",
  cirros: "cirros",
  "cirros-container-disk-demo": "cirros",
  "centos-stream": "cloud-user",
  rhel: "cloud-user",
  opensuse: "opensuse",
  tiny: "root",
};

/** The repository's last segment of an image reference (`quay.io/containerdisks/fedora:41` → `fedora`). */
function repositoryName(image: string): string {
  const withoutDigest = image.split("@")[0]!;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const last = withoutDigest.slice(lastSlash + 1);
  return last.split(":")[0]!.toLowerCase();
}

/** The login user of a VM from its stored spec: `loginUser` when set, else its image's default user, else `root`. */
export function vmLoginUser(spec: Record<string, unknown>): string {
  if (typeof spec.loginUser === "string" && spec.loginUser) return spec.loginUser;
  const image = typeof spec.image === "string" ? spec.image : "";
  return DEFAULT_USERS[repositoryName(image)] ?? "root";
}
