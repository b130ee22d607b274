// Removes the gateway's temporary data directory after the run.
import { rmSync } from 'node:fs';

export default function teardown(): void {
  const dir = process.env.CONFAB_E2E_DATA;
  if (dir && dir.includes('confab-e2e-')) {
    rmSync(dir, { recursive: true, force: true });
  }
}
