// The delivery rule (docs/PROTOCOL.md, Delivery): rooms number their messages 1, 2, 3…, so a
// message that skips a number tells the app one is missing. A frame lost on the way is read
// from history (`afterSeq`) once the next one arrives, with the socket still open; frames that
// only crossed on the way are put in order without reading anything.
import { expect, test, type Page, type Request } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

/** The gap reads (`afterSeq`) Alice's app makes in `room`. */
function gapReads(page: Page, room: string): string[] {
  const reads: string[] = [];
  page.on('request', (request: Request) => {
    const url = request.url();
    if (url.includes(`/rooms/${room}/messages`) && url.includes('afterSeq=')) {
      reads.push(url);
    }
  });
  return reads;
}

test('a message frame lost on the way shows once the next arrives, in order, with no reconnect', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('lossy');
  const page = await (await browser.newContext()).newPage();
  // Between the gateway and Alice's app: the frame carrying "lost on the way" never arrives.
  let sockets = 0;
  let dropped = 0;
  await page.routeWebSocket(/\/ws/, (ws) => {
    sockets += 1;
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const frame = JSON.parse(message.toString());
      if (frame.type === 'message' && frame.message?.body === 'lost on the way') {
        dropped += 1;
        return;
      }
      ws.send(message);
    });
  });
  const reads = gapReads(page, room);
  const a = await ChatPage.signIn(page, alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);

  await b.sendAndConfirm('before');
  await expect(a.message('before')).toBeVisible();
  const before = await a.message('before').getAttribute('data-seq');
  await b.sendAndConfirm('lost on the way');
  await b.sendAndConfirm('after');

  await expect(a.bodies).toHaveText(['before', 'lost on the way', 'after']);
  expect(dropped).toBe(1);
  expect(sockets).toBe(1);
  await a.expectConnected();
  expect(reads.some((url) => url.includes(`afterSeq=${before}&`))).toBe(true);
  const seqs = await a.messages.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
  expect(seqs).toEqual([Number(before), Number(before) + 1, Number(before) + 2]);
});

test('message frames that cross on the way show in the room\'s order without reading history', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('crossed');
  const page = await (await browser.newContext()).newPage();
  // Between the gateway and Alice's app: "first" is held back until "second" has gone by.
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    let held: string | Buffer | null = null;
    server.onMessage((message) => {
      const frame = JSON.parse(message.toString());
      if (frame.type === 'message' && frame.message?.body === 'first') {
        held = message;
        return;
      }
      ws.send(message);
      if (frame.type === 'message' && frame.message?.body === 'second' && held !== null) {
        ws.send(held);
        held = null;
      }
    });
  });
  const reads = gapReads(page, room);
  const a = await ChatPage.signIn(page, alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);

  await b.sendAndConfirm('first');
  await b.sendAndConfirm('second');
  await expect(a.bodies).toHaveText(['first', 'second']);
  // Well past the grace (250 ms): the gap closed live, so nothing was read for it.
  await page.waitForTimeout(1_000);
  expect(reads).toEqual([]);
});
