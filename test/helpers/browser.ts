/**
 * What the browser e2e tests share: build the demo with Vite, serve dist-demo/ from a throwaway
 * static server on 127.0.0.1 (a secure context, so WebGPU is offered) and drive it with headless
 * Chromium on SwiftShader's WebGPU.
 */
import { afterAll, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');
/** Whether the browser is installed; the e2e suites skip (and say so) without it. */
export const haveChromium = existsSync(CHROMIUM);

const DIST = join(ROOT, 'dist-demo');
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

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static file server for `dir` on 127.0.0.1 at a free port. */
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

/** The built demo as a test sees it: the browser and the served site's root URL. */
export interface DemoSite {
  readonly browser: Browser;
  readonly url: string;
}

/**
 * Builds and serves the demo and launches Chromium before the enclosing describe's tests, and stops
 * both after them. Call inside the describe; read the fields only inside its tests.
 */
export function useDemoSite(): DemoSite {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url: string | undefined;

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

  const up = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the demo site is not up: read it inside a test, after beforeAll');
    return value;
  };
  return {
    get browser() {
      return up(browser);
    },
    get url() {
      return up(url);
    },
  };
}

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return errors;
}

/**
 * An init script (page.addInitScript) that keeps every device the page opens in window.__devices,
 * so a test can pull the current one away with destroy(). Self-contained: it runs in the page.
 */
export function keepDevices(): void {
  const devices: GPUDevice[] = [];
  (window as unknown as { __devices: GPUDevice[] }).__devices = devices;
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
    const device = await request.call(this, descriptor);
    devices.push(device);
    return device;
  };
}

/** Destroys the device the page opened last (see keepDevices). */
export function destroyLastDevice(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.at(-1)!.destroy());
}

/** How many devices the page has opened (see keepDevices). */
export function devicesOpened(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.length);
}
