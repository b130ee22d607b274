// Removes the gateways' temporary data directories after the run.
import { rmSync } from 'node:fs';

export default function teardown(): void {
  for (const dir of [process.env.CONFAB_E2E_DATA, process.env.CONFAB_E2E_LAMBDA_DATA]) {
    if (dir && dir.includes('confab-e2e-')) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
