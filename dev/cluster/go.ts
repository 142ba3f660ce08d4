// Runs the `go` tool for the binary build: module proxy only, static binaries.
import { spawn } from "node:child_process";

/** Runs `go …` in `cwd`, streaming its output to `log`; rejects with the tail of the output on failure. */
export function runGo(args: string[], cwd: string, log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, {
      cwd,
      env: {
        ...process.env,
        // Static binaries; module zips carry no VCS data to stamp. A `go` older than a
        // module's go line fetches the newer toolchain as a module, through the same proxy.
        CGO_ENABLED: "0",
        GOFLAGS: "-buildvcs=false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`go ${args.join(" ")} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}
