/**
 * The browser demo end to end in real headless Chromium on SwiftShader's WebGPU: build it with
 * Vite, serve dist-demo/ from a throwaway static server, train, and check what a person would see.
 * Saves test-artifacts/demo.png (and a narrow-screen demo-narrow.png) to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist-demo');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/** SwiftShader is slow and Graphviz's WebAssembly is large: generous, but finite. */
const PAGE_TIMEOUT = 90_000;
/** The demo's ground truth, as the tutorial sets it; the test reads the page's own values too. */
const TOLERANCE = 0.15;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static file server for dist-demo/ on 127.0.0.1 (a secure context, so WebGPU is offered). */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

/** Numbers in a numpy-style print such as "[[1.9957 1.4978]]". */
function numbers(text: string | null): number[] {
  return (text ?? '').match(/-?\d+(?:\.\d*)?(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
}

/** Console errors and uncaught exceptions of a page, collected as they happen. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return errors;
}

const haveChromium = existsSync(CHROMIUM);
const title = haveChromium
  ? 'browser demo in headless Chromium (SwiftShader WebGPU)'
  : `browser demo: SKIPPED because ${CHROMIUM} is missing (apt-get install chromium)`;

describe.skipIf(!haveChromium)(title, () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
    ({ server, url } = await serve(DIST));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('trains 100 iterations to the ground truth, with graphs, plots and no console error', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    const errors = collectErrors(page);

    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"]');
    await expect(page.locator('#adapter').textContent()).resolves.toMatch(/^Adapter: .*swiftshader/i);
    const beforeW = numbers(await page.locator('#before-W').textContent());
    expect(beforeW).toHaveLength(2);
    expect(await page.locator('#iteration').textContent()).toBe('0');

    await page.getByRole('button', { name: 'Train 100' }).click();
    await page.waitForFunction(() => document.querySelector('#iteration')?.textContent === '100' && document.body.dataset.state === 'ready');

    const truthW = numbers(await page.locator('#truth-W').textContent());
    const truthB = numbers(await page.locator('#truth-B').textContent());
    expect(truthW).toEqual([2, 1.5]);
    expect(truthB).toEqual([0.5]);
    const afterW = numbers(await page.locator('#after-W').textContent());
    const afterB = numbers(await page.locator('#after-B').textContent());
    expect(afterW).toHaveLength(2);
    expect(afterB).toHaveLength(1);
    expect(Math.abs(afterW[0]! - truthW[0]!)).toBeLessThan(TOLERANCE);
    expect(Math.abs(afterW[1]! - truthW[1]!)).toBeLessThan(TOLERANCE);
    expect(Math.abs(afterB[0]! - truthB[0]!)).toBeLessThan(TOLERANCE);
    // Training moved W: the page shows trained values, not the starting ones.
    expect(afterW).not.toEqual(beforeW);

    // The three stages as Graphviz SVGs, each with more ops than the last.
    const graphNodes = await page.$$eval('.graph-body > svg', (svgs) => svgs.map((s) => s.querySelectorAll('g.node').length));
    expect(graphNodes).toHaveLength(3);
    expect(graphNodes[0]!).toBeGreaterThan(0);
    expect(graphNodes[1]!).toBeGreaterThan(graphNodes[0]!);
    expect(graphNodes[2]!).toBeGreaterThan(graphNodes[1]!);
    // Three charts, each with a drawn line over the 100 iterations.
    const plotLines = await page.$$eval('.plot-body > svg', (svgs) => svgs.map((s) => s.querySelectorAll('polyline').length));
    expect(plotLines).toHaveLength(3);
    for (const n of plotLines) expect(n).toBeGreaterThan(0);
    await expect(page.locator('#timing').textContent()).resolves.toMatch(/\d+(\.\d+)? ms/);

    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-narrow.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('says what the browser needs when WebGPU is missing, and still draws the nets', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    const errors = collectErrors(page);
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    });
    await page.goto(url);
    await page.waitForSelector('body[data-state="no-webgpu"]');
    const message = page.getByRole('alert').filter({ hasText: 'WebGPU' });
    await expect(message.textContent()).resolves.toMatch(/does not offer WebGPU.*Chrome or Edge/s);
    expect(await page.getByRole('button', { name: 'Train 100' }).isDisabled()).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('.graph-body > svg').length === 3);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-no-webgpu.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows a message and a working restart when the device is lost', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    const errors = collectErrors(page);
    // Keep every device the page opens, so the test can pull the current one away.
    await page.addInitScript(() => {
      const devices: GPUDevice[] = [];
      (window as unknown as { __devices: GPUDevice[] }).__devices = devices;
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
        const device = await request.call(this, descriptor);
        devices.push(device);
        return device;
      };
    });
    await page.goto(url);
    await page.waitForSelector('body[data-state="ready"]');
    await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.at(-1)!.destroy());
    await page.waitForSelector('body[data-state="lost"]');
    await expect(page.locator('#message').textContent()).resolves.toMatch(/device was lost/i);
    const restart = page.getByRole('button', { name: 'Restart the GPU' });
    expect(await restart.isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-device-lost.png') });
    await restart.click();
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.locator('#message').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Step 1' }).click();
    await page.waitForFunction(() => document.querySelector('#iteration')?.textContent === '1' && document.body.dataset.state === 'ready');
    expect(numbers(await page.locator('#after-W').textContent())).toHaveLength(2);
    expect(await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.length)).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
