// `POST /apis/upload.cdi.kubevirt.io/v1beta1/namespaces/{ns}/uploadtokenrequests`: what cdi-apiserver does,
// returning the request with `status.token`, a short-lived token for uploading into `spec.pvcName`.
import { uploadGroup, uploadVersion } from "./cdi";
import { ApiError } from "./http-replies";
import type { UploadTokenSigner } from "./upload-token";

interface UploadTokenRequest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { pvcName?: unknown };
}

/** Validates the request body and answers with the token filled in. */
export function issueUploadToken(signer: UploadTokenSigner, namespace: string, body: unknown): object {
  const request = (body ?? {}) as UploadTokenRequest;
  const pvcName = request.spec?.pvcName;
  if (typeof pvcName !== "string" || pvcName === "") {
    throw new ApiError(422, `UploadTokenRequest.${uploadGroup} is invalid: spec.pvcName: Required value`);
  }
  return {
    apiVersion: `${uploadGroup}/${uploadVersion}`,
    kind: "UploadTokenRequest",
    metadata: { ...request.metadata, namespace, creationTimestamp: null },
    spec: { pvcName },
    status: { token: signer.issue(namespace, pvcName) },
  };
}
