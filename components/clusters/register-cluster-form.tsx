"use client";
// Registering a host cluster: a name, then a kubeconfig (pasted or read from a file in the
// browser) with a context picked from the ones it holds, or "this cluster" when the panel runs
// in one. The contexts come from a server action that returns names and servers only.
import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";
import { FieldErrorText } from "@/components/clusters/field-error";
import { ActionForm, useFieldError } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;
type ContextsAction = (previous: unknown, data: { kubeconfig: string }) => Promise<ActionResult<{ name: string; server: string }[]>>;

/** The register form; `inClusterAvailable` says whether "this cluster" can be chosen. */
export function RegisterClusterForm({ action, listContexts, inClusterAvailable }: { action: Action; listContexts: ContextsAction; inClusterAvailable: boolean }) {
  const [source, setSource] = useState<"kubeconfig" | "in-cluster">("kubeconfig");
  return (
    <div data-testid="register-cluster-form">
      <ActionForm action={action} submitLabel="Register cluster" resetOnSuccess={false}>
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
        {source === "kubeconfig" && <KubeconfigInput listContexts={listContexts} />}
      </ActionForm>
    </div>
  );
}

// The kubeconfig text area, its file picker, and the context select filled from what was pasted.
function KubeconfigInput({ listContexts }: { listContexts: ContextsAction }) {
  const id = useId();
  const [text, setText] = useState("");
  const [contexts, setContexts] = useState<{ name: string; server: string }[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const error = useFieldError("kubeconfig");
  const contextError = useFieldError("context");
  const latest = useRef(0);

  useEffect(() => {
    if (!text.trim()) {
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
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint`}
          placeholder="apiVersion: v1&#10;kind: Config&#10;…"
        />
        <span id={`${id}-hint`} className={error || problem ? "field-error" : "hint"} role={error || problem ? "alert" : undefined}>
          {error ??
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
        <select id={`${id}-context`} name="context" data-testid="context-select" disabled={contexts.length === 0} aria-invalid={contextError ? true : undefined}>
          {contexts.length === 0 && <option value="">Paste a kubeconfig first</option>}
          {contexts.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} — {c.server}
            </option>
          ))}
        </select>
        {contextError && (
          <span className="field-error" role="alert">
            {contextError}
          </span>
        )}
      </div>
    </>
  );
}
