// A second local gateway a test starts with its own flags (short WebSocket limits, faults),
// serving the same app build as the suite's, on a free port with a fresh data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

const ROOT = path.resolve(__dirname, '..', '..');
// The suite's webServer (scripts/e2e-server.sh) has built both before any test runs.
const BINARY = path.join(ROOT, 'target', 'debug', 'confab-gateway');

export class Gateway {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the gateway with `flags` and waits until it answers. */
  static async start(flags: string[]): Promise<Gateway> {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'confab-e2e-gw-'));
    const child = spawn(
      BINARY,
      ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--dist', path.join(ROOT, 'dist'), ...flags],
      { cwd: ROOT, env: { ...process.env, CONFAB_REGISTER_BURST: '1000' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const gateway = new Gateway(child, dataDir, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${gateway.url}/config.json`)).ok) return gateway;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        gateway.stop();
        throw new Error(`the gateway did not start:\n${gateway.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    this.child.kill('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
