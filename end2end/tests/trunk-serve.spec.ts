// `make ui`: Trunk's dev server builds the app with the same post-build hooks as a release,
// serves it under the gateway's CSP, proxies the APIs to the gateway, and reloads the open page
// when a component changes. Runs against this checkout's sources, so not against a deployment.
import { expect, test } from '@playwright/test';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuthPage } from '../pages/auth-page';
import { ChatPage } from '../pages/chat-page';
import { PASSWORD, uniqueName } from '../support/api';
import { DevServer } from '../support/dev-server';

const COMPONENT = path.resolve(__dirname, '..', '..', 'app', 'src', 'pages', 'not_found.rs');
const HEADING = '<h1>"Nothing here"</h1>';

test.skip(!!process.env.CONFAB_BASE_URL, 'builds this checkout with trunk serve; a deployment has none');
// A cold debug build of the app for wasm32 is minutes on two busy cores.
test.setTimeout(20 * 60_000);

test('trunk serve builds, serves the chat through its proxy, and reloads the page on an edit', async ({
  page,
  baseURL,
}) => {
  const original = readFileSync(COMPONENT, 'utf8');
  const { atime, mtime } = statSync(COMPONENT);
  expect(original).toContain(HEADING);
  // A run that stopped before putting its build back left a debug build with its edit in it,
  // and the source it restored looks older than that build: mark the source newer, so this
  // first build is of what is on disk.
  utimesSync(COMPONENT, atime, new Date());
  const server = await DevServer.start(baseURL!);
  try {
    await server.waitForBuilds(1, 15 * 60_000);
    await server.waitUntilServing();

    // What Trunk serves carries no inline script and the policy the gateway sends.
    const index = await page.request.get(`${server.url}/`);
    const gatewayIndex = await page.request.get(`${baseURL}/`);
    expect(index.headers()['content-security-policy']).toBe(gatewayIndex.headers()['content-security-policy']);
    const html = await index.text();
    expect(html).toMatch(/<script[^>]*src="\/reload-[0-9a-f]+\.js"/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/);

    // Register and chat through Trunk's proxy to the gateway: /config.json, /api and /ws.
    const auth = new AuthPage(page);
    await page.goto(`${server.url}/register`);
    await expect(auth.submitButton).toHaveText('Create account');
    const name = uniqueName('ui');
    await auth.submit(name, PASSWORD);
    const chat = new ChatPage(page);
    await chat.expectConnected();
    await expect(page.getByTestId('current-user')).toHaveText(name);

    // An edit to a component reaches the open page by itself: Trunk rebuilds, its reload
    // client (moved out of index.html for the CSP) reloads, and the new text shows.
    await page.goto(`${server.url}/nowhere`);
    await expect(page.getByTestId('not-found')).toContainText('Nothing here');
    await page.evaluate(() => ((window as unknown as { beforeEdit: boolean }).beforeEdit = true));
    const marker = uniqueName('Edited');
    writeFileSync(COMPONENT, original.replace(HEADING, `<h1>"${marker}"</h1>`));
    await server.waitForBuilds(2, 10 * 60_000);
    await expect(page.getByTestId('not-found')).toContainText(marker, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { beforeEdit?: boolean }).beforeEdit)).toBeUndefined();
    expect(server.builds().failed).toBe(0);

    // The source put back is built too, so `make ui` after a test run never serves the edit.
    writeFileSync(COMPONENT, original);
    await server.waitForBuilds(3, 10 * 60_000);
    await expect(page.getByTestId('not-found')).toContainText('Nothing here', { timeout: 60_000 });
  } finally {
    server.stop();
    // The source as it was, mtime included, so the release build (of this same text) is not
    // thought stale.
    writeFileSync(COMPONENT, original);
    utimesSync(COMPONENT, atime, mtime);
  }
});
