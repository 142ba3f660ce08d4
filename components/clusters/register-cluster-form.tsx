"use client";
// Registering a host cluster: a name, then a kubeconfig (pasted or read from a file in the
// browser) with a context picked from the ones it holds, or "this cluster" when the panel runs
// in one. The contexts come from a server action that returns names, servers and whether TLS
// is verified only. A context that connects without verifying TLS shows a warning and needs
// the admin's explicit choice. The size limit is checked here before anything is sent, with
// the server's own message.
import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";
import { FieldErrorText } from "@/components/clusters/field-error";
import { ActionForm, useFieldError } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";
import { kubeconfigSizeProblem } from "@/lib/kube/kubeconfig-size";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
type ContextChoice = { name: string; server: string; insecure: boolean };
type ContextsAction = (previous: unknown, data: { kubeconfig: string }) => Promise<ActionResult<ContextChoice[]>>;

/** The register form; `inClusterAvailable` says whether "this cluster" can be chosen. */
export function RegisterClusterForm({ action, listContexts, inClusterAvailable }: { action: Action; listContexts: ContextsAction; inClusterAvailable: boolean }) {
  const [source, setSource] = useState<"kubeconfig" | "in-cluster">("kubeconfig");
  const [tooLarge, setTooLarge] = useState(false);
  return (
    <div data-testid="register-cluster-form">
      <ActionForm action={action} submitLabel="Register cluster" resetOnSuccess={false} blocked={source === "kubeconfig" && tooLarge}>
        <Field name="name" label="Name" autoComplete="off" hint="Lower-case letters, digits, spaces and dashes; shown to org admins." />
        <fieldset className="field">
          <legend>Credentials</legend>
          <label className="check">
            <input type="radio" name="source" value="kubeconfig" checked={source === "kubeconfig"} onChange={() => setSource("kubeconfig")} /> A kubeconfig
          </label>
          <label className="check">
            <input type="radio" name="source" value="in-cluster" checked={source === "in-cluster"} disabled={!inClusterAvailable} onChange={() => setSource("in-cluster")} />
            This cluster (the panel&apos;s own service account)
            {!inClusterAvailable && <span className="muted small"> — the panel is not running inside a cluster</span>}
          </label>
          <FieldErrorText name="source" />
        </fieldset>
        {source === "kubeconfig" && <KubeconfigInput listContexts={listContexts} onTooLarge={setTooLarge} />}
      </ActionForm>
    </div>
  );
}

// The kubeconfig text area, its file picker, and the context select filled from what was pasted.
function KubeconfigInput({ listContexts, onTooLarge }: { listContexts: ContextsAction; onTooLarge: (tooLarge: boolean) => void }) {
  const id = useId();
  const [text, setText] = useState("");
  const [contexts, setContexts] = useState<ContextChoice[]>([]);
  const [selected, setSelected] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const error = useFieldError("kubeconfig");
  const contextError = useFieldError("context");
  const insecureError = useFieldError("allowInsecureTls");
  const latest = useRef(0);
  const sizeProblem = kubeconfigSizeProblem(text);
  const chosen = contexts.find((c) => c.name === selected) ?? contexts[0];
  useEffect(() => onTooLarge(sizeProblem !== null), [sizeProblem, onTooLarge]);

  useEffect(() => {
    if (!text.trim() || kubeconfigSizeProblem(text)) {
      latest.current++;
      setContexts([]);
      setProblem(null);
      return;
    }
    // Ask once typing pauses; only the latest answer counts.
    const request = ++latest.current;
    const timer = setTimeout(async () => {
      const result = await listContexts(null, { kubeconfig: text });
      if (request !== latest.current) return;
      if (result.ok) {
        setContexts(result.data);
        setSelected((current) => (result.data.some((c) => c.name === current) ? current : (result.data[0]?.name ?? "")));
        setProblem(null);
      } else {
        setContexts([]);
        setProblem(result.error.fieldErrors?.kubeconfig ?? result.error.message);
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [text, listContexts]);

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) setText(await file.text());
  }

  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-text`}>Kubeconfig</label>
        <textarea
          id={`${id}-text`}
          name="kubeconfig"
          rows={10}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error || sizeProblem ? true : undefined}
          aria-describedby={`${id}-hint`}
          placeholder="apiVersion: v1&#10;kind: Config&#10;…"
        />
        <span id={`${id}-hint`} className={sizeProblem || error || problem ? "field-error" : "hint"} role={sizeProblem || error || problem ? "alert" : undefined}>
          {sizeProblem ??
            error ??
            problem ??
            "Paste it or pick the file. It needs inline credentials (a token or client certificate); it is stored encrypted and never shown again."}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-file`}>Or read it from a file</label>
        <input id={`${id}-file`} type="file" accept=".yaml,.yml,.json,.conf,.config,text/*" onChange={readFile} data-testid="kubeconfig-file" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-context`}>Context</label>
        <select
          id={`${id}-context`}
          name="context"
          data-testid="context-select"
          disabled={contexts.length === 0}
          aria-invalid={contextError ? true : undefined}
          value={chosen?.name ?? ""}
          onChange={(e) => setSelected(e.target.value)}
        >
          {contexts.length === 0 && <option value="">Paste a kubeconfig first</option>}
          {contexts.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} — {c.server}
              {c.insecure ? " (TLS not verified)" : ""}
            </option>
          ))}
        </select>
        {contextError && (
          <span className="field-error" role="alert">
            {contextError}
          </span>
        )}
      </div>
      {chosen?.insecure && (
        <div className="field warning-box" data-testid="insecure-tls-warning" role="alert">
          <strong>TLS is not verified for this cluster.</strong> Its kubeconfig turns certificate checks off (insecure-skip-tls-verify) or uses
          plain http://, so the panel cannot tell the real API server from an impostor, and credentials could be read on the way. Prefer
          adding the cluster&apos;s CA (certificate-authority-data).
          <label className="check">
            <input type="checkbox" name="allowInsecureTls" data-testid="allow-insecure-tls" aria-invalid={insecureError ? true : undefined} /> Connect without
            verifying TLS (recorded in the audit log and shown on the cluster)
          </label>
          {insecureError && (
            <span className="field-error" role="alert">
              {insecureError}
            </span>
          )}
        </div>
      )}
    </>
  );
}
