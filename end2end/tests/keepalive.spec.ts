// Connections that stay up without flapping. On a gateway whose idle timeout is 6 s and whose
// connections are capped at 30 s (what /config.json tells the app), a reader who says nothing
// stays connected: the app pings before the idle timeout, and opens its next socket before the
// cap closes the current one, joining the rooms on it before the old one closes. No one in the
// room sees her leave and come back, and she never shows as reconnecting.
import { expect, test, type Page } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';
import { Gateway } from '../support/gateway';

test.skip(!!process.env.CONFAB_BASE_URL, "starts its own gateway with short limits; a deployment has API Gateway's");
test.setTimeout(120_000);

const IDLE_TIMEOUT_SECS = 6;
const CAP_SECS = 30;

interface Socket {
  opened: number;
  closed?: number;
  pings: number;
}

/** Every socket the page opens, when, and how many pings it sent. */
function watchSockets(page: Page): Socket[] {
  const sockets: Socket[] = [];
  page.on('websocket', (ws) => {
    const socket: Socket = { opened: Date.now(), pings: 0 };
    sockets.push(socket);
    ws.on('framesent', (frame) => {
      if (String(frame.payload).includes('"action":"ping"')) socket.pings += 1;
    });
    ws.on('close', () => (socket.closed = Date.now()));
  });
  return sockets;
}

/** Every status the page's connection indicator takes from now on. */
async function watchStatus(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { statuses: string[] }).statuses = seen;
    const status = document.querySelector('[data-testid="connection-status"]')!;
    new MutationObserver(() => seen.push(status.getAttribute('data-status') ?? '')).observe(status, {
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
  return () => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
}

test('a quiet reader stays connected past idle timeouts and the cap, and no one sees her leave', async ({ browser }) => {
  const gateway = await Gateway.start([
    '--idle-timeout-secs',
    String(IDLE_TIMEOUT_SECS),
    '--max-connection-secs',
    String(CAP_SECS),
  ]);
  try {
    const [alice, bob] = await Promise.all([registerUser(gateway.url, 'alice'), registerUser(gateway.url, 'bob')]);
    const room = uniqueName('quiet');
    const alicePage = await (await browser.newContext({ baseURL: gateway.url })).newPage();
    const sockets = watchSockets(alicePage);
    const a = await ChatPage.signIn(alicePage, alice, room);
    const statuses = await watchStatus(alicePage);

    // Bob is told who is in the room when he joins; after that, any word of Alice joining or
    // leaving would be a flap.
    const bobPage = await (await browser.newContext({ baseURL: gateway.url })).newPage();
    const flaps: string[] = [];
    bobPage.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        const parsed = JSON.parse(String(frame.payload));
        if (parsed.type === 'presence' && (parsed.joined === alice.username || parsed.left === alice.username)) {
          flaps.push(String(frame.payload));
        }
      }),
    );
    const b = await ChatPage.signIn(bobPage, bob, room);
    await expect(b.presence).toHaveText([alice.username, bob.username].sort());

    // Alice says nothing until her first socket has been replaced and closed: five idle
    // timeouts, and past the cap.
    await expect
      .poll(() => sockets[0]?.closed !== undefined, { timeout: (CAP_SECS + 15) * 1000, intervals: [500] })
      .toBe(true);
    const [first, second] = sockets;
    expect(sockets, 'one replacement, no reconnects').toHaveLength(2);
    expect(first.pings, 'the heartbeat kept the quiet socket open').toBeGreaterThanOrEqual(3);
    // Made before broken: the replacement opened near the cap, before the first one closed,
    // and the first one closed before the cap would have closed it.
    expect(second.opened - first.opened).toBeGreaterThan((CAP_SECS - 10) * 1000);
    expect(second.opened).toBeLessThan(first.closed!);
    expect(first.closed! - first.opened).toBeLessThan(CAP_SECS * 1000);
    expect(second.closed).toBeUndefined();

    expect(flaps, 'Bob saw Alice leave or join').toEqual([]);
    expect(await statuses(), 'Alice showed as disconnected').toEqual([]);
    await expect(b.presence).toHaveText([alice.username, bob.username].sort());

    // Both still hear each other, on the new socket.
    await b.sendAndConfirm('still there?');
    await expect(a.message('still there?')).toBeVisible();
    await a.sendAndConfirm('yes');
    await expect(b.message('yes')).toBeVisible();
  } finally {
    gateway.stop();
  }
});
