// Confab's end-to-end suite. By default it starts the local gateway (serving the release build
// of the app) on a free port with a fresh data directory; CONFAB_BASE_URL points it at a running
// deployment instead (e.g. a CloudFront URL), and then nothing is started.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const external = process.env.CONFAB_BASE_URL;

/** A port nothing listens on now (the config runs synchronously, so a child process asks). */
function freePort(): string {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ['-e', script]).toString().trim();
}

// The config is evaluated again in every worker; the environment carries the first choice,
// for each gateway on its own (the Lambda mode's too when CONFAB_E2E_PORT was given).
if (!external && !process.env.CONFAB_E2E_PORT) {
  process.env.CONFAB_E2E_PORT = freePort();
  process.env.CONFAB_E2E_DATA = mkdtempSync(path.join(tmpdir(), 'confab-e2e-'));
}
if (!external && !process.env.CONFAB_E2E_LAMBDA_PORT) {
  process.env.CONFAB_E2E_LAMBDA_PORT = freePort();
  process.env.CONFAB_E2E_LAMBDA_DATA = mkdtempSync(path.join(tmpdir(), 'confab-e2e-'));
}

const port = process.env.CONFAB_E2E_PORT;
const baseURL = external ?? `http://127.0.0.1:${port}`;
// The same app in front of the deployable system: each route runs its real Lambda binary, as
// infra/template.yaml wires it, on moto (scripts/dev-lambda.sh).
const lambdaPort = process.env.CONFAB_E2E_LAMBDA_PORT;
const lambdaURL = `http://127.0.0.1:${lambdaPort}`;

/// A gateway on `port` with its data in `dataDir`, started by `command`.
function server(command: string, port: string | undefined, dataDir: string | undefined) {
  return {
    command,
    url: `http://127.0.0.1:${port}/config.json`,
    timeout: 20 * 60_000,
    reuseExistingServer: false,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: { CONFAB_LISTEN: `127.0.0.1:${port}`, CONFAB_DATA_DIR: dataDir ?? '' },
  };
}

export default defineConfig({
  testDir: './tests',
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  outputDir: 'test-results',
  globalTeardown: './support/teardown.ts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Browsers cannot be downloaded here: Debian's Chromium (scripts/ensure-e2e.sh).
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testIgnore: /trunk-serve/ },
    // `make ui`'s test compiles the app (minutes of both cores when cold): after the rest, alone,
    // so it cannot starve the timed browser tests.
    {
      name: 'ui-loop',
      use: { browserName: 'chromium' },
      testMatch: /trunk-serve/,
      dependencies: ['chromium'],
    },
    // A subset of the suite against the real Lambda binaries (only where the suite starts its
    // own servers): sign-up and login, a live conversation, history, sessions and logout.
    ...(external
      ? []
      : [
          {
            name: 'lambda',
            use: { browserName: 'chromium' as const, baseURL: lambdaURL },
            testMatch: /(auth|realtime|history|session|edits|reactions|replies|reads)\.spec/,
            dependencies: ['chromium'],
          },
        ]),
  ],
  webServer: external
    ? undefined
    : [
        // Builds the gateway and the app when they are missing or stale, then runs the gateway.
        server('bash ../scripts/e2e-server.sh', port, process.env.CONFAB_E2E_DATA),
        server('bash ../scripts/dev-lambda.sh', lambdaPort, process.env.CONFAB_E2E_LAMBDA_DATA),
      ],
});
