// The quota inputs of the assign form, in the units people think in; empty means no limit.
import { Field } from "@/components/ui/field";

/** CPU (cores), memory (GiB or MiB), pods, VMs, storage (GiB); `values` pre-fills an existing quota. */
export function QuotaFields({ values = {} }: { values?: Record<string, string> }) {
  return (
    <>
      <Field name="cpuCores" label="CPU (cores)" inputMode="decimal" placeholder="no limit" defaultValue={values.cpuCores} size={8} />
      <Field name="memory" label="Memory" inputMode="decimal" placeholder="no limit" defaultValue={values.memory} size={8} />
      <Field
        name="memoryUnit"
        label="Memory unit"
        options={[
          { value: "GiB", label: "GiB" },
          { value: "MiB", label: "MiB" },
        ]}
        defaultValue={values.memoryUnit ?? "GiB"}
      />
      <Field name="maxPods" label="Pods" inputMode="numeric" placeholder="no limit" defaultValue={values.maxPods} size={6} />
      <Field name="maxVms" label="VMs" inputMode="numeric" placeholder="no limit" defaultValue={values.maxVms} size={6} />
      <Field name="storageGib" label="Storage (GiB)" inputMode="numeric" placeholder="no limit" defaultValue={values.storageGib} size={8} />
    </>
  );
}
