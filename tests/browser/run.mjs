// Drives Debian's chromium through playwright-core for tests/integration/browser.py.
//
// Reads one JSON object on stdin:
//   { "chromium": "/usr/bin/chromium", "args": [extra flags], "timeoutMs": N,
//     "messages": N, "modes": [{ "name": "udp", "iceServers": [...] }, ...] }
// Serves loopback.html on 127.0.0.1 (a port the kernel picks), starts chromium
// once, runs runRelay() of the page for each mode in a fresh page, and writes
// one JSON line per event on stdout:
//   {"event": "chromium", "pid": N}      as soon as the browser runs
//   {"event": "mode", "name": ..., "result": {...}}   one per mode
//   {"event": "done"} or {"event": "error", "error": "..."}
// The whole run is bounded by timeoutMs times the number of modes plus a
// margin; past that it closes the browser and exits 2.
//
// playwright-core is found next to this file (npm ci here) or in the folder
// named by $TERN_BROWSER_MODULES (holding node_modules/).

import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const moduleBase = process.env.TERN_BROWSER_MODULES || here;
const require = createRequire(path.join(moduleBase, 'package.json'));
const { chromium } = require('playwright-core');

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

// A server on 127.0.0.1 that answers every GET with the test page.
async function servePage() {
  const page = await readFile(path.join(here, 'loopback.html'));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

async function runModes(browser, url, opts) {
  for (const mode of opts.modes) {
    const page = await browser.newPage();
    const console = [];
    page.on('console', (m) => console.push(m.type() + ': ' + m.text()));
    await page.goto(url);
    const result = await page.evaluate(
      (o) => window.runRelay(o),
      { iceServers: mode.iceServers, messages: opts.messages, timeoutMs: opts.timeoutMs },
    );
    result.console = console.slice(0, 20);
    emit({ event: 'mode', name: mode.name, result });
    await page.close();
  }
}

async function main() {
  const opts = await readStdin();
  const web = await servePage();
  const url = 'http://127.0.0.1:' + web.address().port + '/loopback.html';
  let server = null;
  let browser = null;
  const limitMs = opts.timeoutMs * opts.modes.length + 20000;
  const watchdog = setTimeout(() => {
    emit({ event: 'error', error: 'run.mjs took longer than ' + limitMs + ' ms' });
    if (server && server.process()) {
      server.process().kill('SIGKILL');
    }
    process.exit(2);
  }, limitMs);
  try {
    // launchServer() rather than launch(): its process() gives chromium's PID,
    // which the Python side kills if this script itself has to be killed.
    server = await chromium.launchServer({
      executablePath: opts.chromium,
      headless: true,
      args: opts.args,
      timeout: 30000,
    });
    emit({ event: 'chromium', pid: server.process().pid });
    browser = await chromium.connect(server.wsEndpoint(), { timeout: 30000 });
    emit({ event: 'version', version: browser.version() });
    await runModes(browser, url, opts);
    emit({ event: 'done' });
  } catch (err) {
    emit({ event: 'error', error: String(err && err.stack ? err.stack : err) });
    process.exitCode = 1;
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    if (server) {
      await server.close().catch(() => {});
    }
    web.close();
    clearTimeout(watchdog);
  }
}

main();
