// Every workload kind's lifecycle driver, registered by importing this one module: whatever
// walks all kinds (the reconciler, the drift page and its action) imports it, so a new kind
// is added here once.
import "@/lib/pods/lifecycle-driver";
import "@/lib/vms/lifecycle-driver";
import "@/lib/nested/lifecycle-driver";
