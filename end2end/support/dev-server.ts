// `make ui`'s dev server (scripts/ui.sh: `trunk serve` in front of a gateway), started on a
// free port for a test, with its output kept so a test can wait for builds and read failures.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './ports';

const ROOT = path.resolve(__dirname, '..', '..');
// Trunk's own lines (build.rs): "success" after a build, this after a failed one.
const PIPELINE_ERROR = 'error from build pipeline';

export class DevServer {
  private output = '';
  private exited: number | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      // Trunk colours its log when it can; the text is what counts.
      this.output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => {
      this.exited = code ?? -1;
    });
  }

  /** Starts `scripts/ui.sh` in its own process group, proxying to `gateway`. */
  static async start(gateway: string): Promise<DevServer> {
    const port = await freePort();
    const child = spawn('bash', [path.join(ROOT, 'scripts', 'ui.sh')], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, GATEWAY: gateway, UI_PORT: String(port), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DevServer(child, `http://127.0.0.1:${port}`);
  }

  /** How many builds have finished, and whether any failed. */
  builds(): { succeeded: number; failed: number } {
    return {
      succeeded: (this.output.match(/\bsuccess\s*$/gm) ?? []).length,
      failed: this.output.split(PIPELINE_ERROR).length - 1,
    };
  }

  /** Waits until `count` builds have succeeded; fails at once on a failed build or an exit. */
  async waitForBuilds(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { succeeded, failed } = this.builds();
      if (failed > 0) throw new Error(`a build failed:\n${this.tail()}`);
      if (this.exited !== null) throw new Error(`the dev server exited (${this.exited}):\n${this.tail()}`);
      if (succeeded >= count) return;
      if (Date.now() > deadline) throw new Error(`no build #${count} in ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Waits until Trunk answers: it starts listening just after its first build. */
  async waitUntilServing(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.url} does not answer:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Stops Trunk and the cargo and rustc it started: the whole process group. */
  stop(): void {
    if (this.exited === null && this.child.pid) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}
