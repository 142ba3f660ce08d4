// KubeVirt and CDI stand-ins for the local control plane: what cannot run here (virt-operator, virt-api,
// virt-controller, virt-handler, cdi-apiserver, cdi-uploadproxy, cdi-deployment) replaced by small
// in-process servers and controllers that speak the same API through the real kube-apiserver.
// See dev/cluster/README.md ("Stand-ins") for what each one does and does not do.
import { join } from "node:path";
import { registerAggregatedApis, standinServiceDnsNames } from "./api-registration";
import { startAggregatedApiServer } from "./aggregated-api-server";
import { publishUploadProxy } from "./cdi-config";
import { startDataVolumeLifecycle } from "./datavolume-controller";
import { readFrontProxyCa } from "./front-proxy-ca";
import { installStandinCrds } from "./install-crds";
import { connect } from "./kube";
import { GuestStreams } from "./guest-streams";
import { startStorageProvisioner } from "./storage-provisioner";
import { createServingCertificate } from "./tls";
import type { RunningStandins, StandinContext } from "./types";
import { UploadTokenSigner } from "./upload-token";
import { startUploadProxy } from "./upload-proxy";
import { startVmLifecycle } from "./vm-controller";
import { VmiGuests } from "./vm-guests";

/** Installs the KubeVirt/CDI CRDs and starts every stand-in; resolves once the aggregated APIs are Available. */
export async function startStandins(ctx: StandinContext): Promise<RunningStandins> {
  const started = Date.now();
  const log = ctx.log;
  const root = join(ctx.dir, "standins");
  const kube = connect(ctx.kubeconfigPath);
  const stops: (() => Promise<void> | void)[] = [];
  const guests = new VmiGuests(kube, root, log);
  const stop = async () => {
    for (const fn of stops.reverse()) await Promise.resolve(fn()).catch((error: unknown) => log(`stop: ${String(error)}`));
    stops.length = 0;
  };
  try {
    const [frontProxyCaPem, certificate] = await Promise.all([
      readFrontProxyCa(kube),
      createServingCertificate(join(root, "tls"), ["localhost", ...standinServiceDnsNames]),
      installStandinCrds(kube),
    ]);
    const uploadTokens = new UploadTokenSigner();

    // Guests stop last (after the controller that starts them), and die with this process regardless.
    stops.push(() => guests.stopAll());
    guests.prepare();
    const vms = await startVmLifecycle(kube, log, guests);
    stops.push(() => vms.stop());
    const dataVolumes = await startDataVolumeLifecycle(kube, log, join(root, "uploads"));
    stops.push(() => dataVolumes.stop());
    const storage = await startStorageProvisioner(kube, join(root, "volumes"), log);
    stops.push(() => storage.stop());

    const streams = new GuestStreams(kube, guests, log);
    stops.push(() => streams.stop());
    const api = await startAggregatedApiServer({ kube, certificate, frontProxyCaPem, guests, streams, uploadTokens, log });
    stops.push(() => api.close());
    const uploadProxy = await startUploadProxy({ kube, certificate, uploadTokens, storageDir: join(root, "uploads"), log });
    stops.push(() => uploadProxy.close());

    await registerAggregatedApis(kube, api.port, certificate.caPem);
    await guests.publishCatalog();
    await publishUploadProxy(kube, uploadProxy.url, certificate.caPem);
    log(`ready in ${Date.now() - started} ms (aggregated APIs on 127.0.0.1:${api.port}, upload proxy ${uploadProxy.url})`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, guestsRunning: () => guests.manager.count };
}
