// Discovery documents of the aggregated APIs the stand-in serves. The aggregator reads
// `/apis/<group>/<version>` to mark an APIService Available and to merge it into cluster discovery.
import { uploadGroup, uploadVersion } from "./cdi";

interface ServedResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

interface ServedGroup {
  name: string;
  versions: string[];
  resources: ServedResource[];
}

const subresource = (name: string, kind: string, verbs: string[]): ServedResource => ({
  name,
  singularName: "",
  namespaced: true,
  kind,
  verbs,
});

/** `subresources.kubevirt.io`: what virt-api serves (the subset the stand-in implements). */
export const subresourcesGroup: ServedGroup = {
  name: "subresources.kubevirt.io",
  versions: ["v1", "v1alpha3"],
  resources: [
    subresource("virtualmachines/start", "VirtualMachine", ["update"]),
    subresource("virtualmachines/stop", "VirtualMachine", ["update"]),
    subresource("virtualmachines/restart", "VirtualMachine", ["update"]),
    subresource("virtualmachineinstances/console", "VirtualMachineInstance", ["get"]),
  ],
};

/** `upload.cdi.kubevirt.io`: what cdi-apiserver serves for uploads. */
export const uploadTokenGroup: ServedGroup = {
  name: uploadGroup,
  versions: [uploadVersion],
  resources: [
    { name: "uploadtokenrequests", singularName: "uploadtokenrequest", namespaced: true, kind: "UploadTokenRequest", verbs: ["create"] },
  ],
};

export const servedGroups = [subresourcesGroup, uploadTokenGroup];

function apiGroup(group: ServedGroup) {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { kind: "APIGroup", apiVersion: "v1", name: group.name, versions, preferredVersion: versions[0] };
}

/** The discovery document for `path`, or undefined when `path` is not a discovery path. */
export function discoveryDocument(path: string): object | undefined {
  if (path === "/apis") return { kind: "APIGroupList", apiVersion: "v1", groups: servedGroups.map(apiGroup) };
  const [, apis, groupName, version, extra] = path.split("/");
  if (apis !== "apis" || extra !== undefined) return undefined;
  const group = servedGroups.find((g) => g.name === groupName);
  if (!group) return undefined;
  if (version === undefined) return apiGroup(group);
  if (!group.versions.includes(version)) return undefined;
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group.name}/${version}`, resources: group.resources };
}
