/**
 * The browser demo end to end in real headless Chromium on SwiftShader's WebGPU: build it with
 * Vite, serve dist-demo/ from a throwaway static server, train, and check what a person would see.
 * Saves test-artifacts/demo.png, demo-laptop.png (the 1280×900 viewport right after Train 100)
 * and demo-narrow.png to look at.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, collectErrors, destroyLastDevice, devicesOpened, haveChromium, keepDevices, useDemoSite } from '../helpers/browser.js';

/** SwiftShader is slow and Graphviz's WebAssembly is large: generous, but finite. */
const PAGE_TIMEOUT = 90_000;
/** The demo's ground truth, as the tutorial sets it; the test reads the page's own values too. */
const TOLERANCE = 0.15;

/** Numbers in a numpy-style print such as "[[1.9957 1.4978]]". */
function numbers(text: string | null): number[] {
  return (text ?? '').match(/-?\d+(?:\.\d*)?(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
}

/** Whether every element matching `selector` lies wholly inside the viewport. */
function allInView(page: Page, selector: string): Promise<boolean[]> {
  return page.$$eval(selector, (els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
    }),
  );
}

const title = haveChromium
  ? 'browser demo in headless Chromium (SwiftShader WebGPU)'
  : `browser demo: SKIPPED because ${CHROMIUM} is missing (apt-get install chromium)`;

describe.skipIf(!haveChromium)(title, () => {
  const site = useDemoSite();

  /** A fresh page (its own context) that collects console errors; `init` runs before the page's scripts. */
  async function openPage(options: { viewport?: { width: number; height: number }; init?: () => void } = {}) {
    const context = await site.browser.newContext(options.viewport ? { viewport: options.viewport } : {});
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    const errors = collectErrors(page);
    if (options.init) await page.addInitScript(options.init);
    return { context, page, errors };
  }

  it('trains 100 iterations to the ground truth, with graphs, plots and no console error', async () => {
    const { context, page, errors } = await openPage({ viewport: { width: 1280, height: 900 } });

    await page.goto(site.url);
    await page.waitForSelector('body[data-state="ready"]');
    await expect(page.locator('#adapter').textContent()).resolves.toMatch(/^Adapter: .*swiftshader/i);
    const beforeW = numbers(await page.locator('#before-W').textContent());
    expect(beforeW).toHaveLength(2);
    expect(await page.locator('#iteration').textContent()).toBe('0');

    // The live region speaks when a run starts and ends, not at every chunk of 10 iterations.
    await page.evaluate(() => {
      const w = window as unknown as { __announced: string[] };
      w.__announced = [];
      const status = document.querySelector('#status')!;
      new MutationObserver(() => w.__announced.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    // At a laptop's viewport the plots sit beside the controls: pressing Train shows training there.
    await page.getByRole('button', { name: 'Train 100' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#iteration')?.textContent) >= 10);
    expect(await allInView(page, '.plot-body')).toEqual([true, true, true, true]);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-laptop.png') });
    await page.waitForFunction(() => document.querySelector('#iteration')?.textContent === '100' && document.body.dataset.state === 'ready');
    expect(await allInView(page, '.plot-body')).toEqual([true, true, true, true]);
    await expect(page.locator('#status').textContent()).resolves.toMatch(/^Trained 100 iterations in \d+ ms/);
    const announced = await page.evaluate(() => (window as unknown as { __announced: string[] }).__announced);
    expect(announced.map((t) => t.replace(/\d+ ms/, 'N ms'))).toEqual(['Training 100 iterations…', 'Trained 100 iterations in N ms (page updates included); 100 in all.']);

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
    // Four charts, each with a drawn line; the batch scatter has a dot per row of the batch.
    const plotLines = await page.$$eval('.plot-body > svg', (svgs) => svgs.map((s) => s.querySelectorAll('polyline').length));
    expect(plotLines).toHaveLength(4);
    for (const n of plotLines) expect(n).toBeGreaterThan(0);
    expect(await page.locator('#plot-batch-body g.series[data-name="batch"] circle').count()).toBe(64);
    expect(await page.locator('#plot-loss-body g.series[data-name="σ²/2 floor"] polyline').count()).toBe(1);
    // The log scale redraws the loss on decades, the floor still drawn.
    await page.getByLabel('Log-scale loss').check();
    await expect(page.locator('#plot-loss-body text.title').textContent()).resolves.toBe('Loss per iteration (log scale)');
    expect(await page.locator('#plot-loss-body g.series[data-name="σ²/2 floor"] polyline').count()).toBe(1);
    // Zoom buttons say what a press does next.
    const zoom = page.locator('#graph-sgd button.zoom');
    await zoom.click();
    await expect(zoom.textContent()).resolves.toBe('Fit to box');
    await zoom.click();
    await expect(zoom.textContent()).resolves.toBe('Zoom in');
    await expect(page.locator('#timing').textContent()).resolves.toMatch(/\d+(\.\d+)? ms/);

    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
    // On a phone the plots are below the controls: Step 1 brings them into view.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Step 1' }).click();
    await page.waitForFunction(() => document.querySelector('#iteration')?.textContent === '101' && document.body.dataset.state === 'ready');
    await page.waitForFunction(() => {
      const r = document.querySelector('#plots')!.getBoundingClientRect();
      return r.top >= -1 && r.top < window.innerHeight / 2;
    });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-narrow.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('plays and pauses, changes the learning rate mid-run, blocks bad settings and reports divergence', async () => {
    const { context, page, errors } = await openPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(site.url);
    await page.waitForSelector('body[data-state="ready"]');
    const iteration = async (): Promise<number> => Number(await page.locator('#iteration').textContent());

    // Play trains until Pause.
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#iteration')?.textContent) >= 30);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('body[data-state="ready"]');
    await expect(page.locator('#status').textContent()).resolves.toMatch(/^Paused after \d+ iterations/);
    const paused = await iteration();
    expect(paused).toBeGreaterThanOrEqual(30);

    // A new learning rate applies without starting over: W, B and the iteration stay.
    const W = await page.locator('#after-W').textContent();
    await page.getByLabel('base_lr').fill('-0.05');
    await page.getByLabel('base_lr').dispatchEvent('change');
    await page.waitForFunction(() => /^Learning rate changed/.test(document.querySelector('#status')?.textContent ?? ''));
    expect(await iteration()).toBe(paused);
    expect(await page.locator('#after-W').textContent()).toBe(W);
    await page.getByRole('button', { name: 'Step 1' }).click();
    await page.waitForFunction((n) => Number(document.querySelector('#iteration')?.textContent) === n + 1, paused);
    const lr = Number(await page.locator('#lr').textContent());
    expect(lr).toBeCloseTo(-0.05 * 0.9 ** Math.floor(paused / 20), 4);

    // Invalid settings block training and say why.
    await page.getByLabel('Batch size').fill('0');
    await expect(page.locator('#form-error').textContent()).resolves.toMatch(/Batch size must be at least 1/);
    expect(await page.getByRole('button', { name: 'Train 100' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Play' }).isDisabled()).toBe(true);
    await page.getByLabel('Batch size').fill('64');
    expect(await page.getByRole('button', { name: 'Train 100' }).isDisabled()).toBe(false);

    // A positive base_lr climbs the loss: the run stops and says it diverged.
    await page.getByLabel('base_lr').fill('0.5');
    await page.getByLabel('base_lr').dispatchEvent('change');
    await page.waitForFunction(() => /^Learning rate changed/.test(document.querySelector('#status')?.textContent ?? ''));
    await page.getByRole('button', { name: 'Train 100' }).click();
    await page.waitForFunction(() => /^Diverged after/.test(document.querySelector('#status')?.textContent ?? ''));
    await expect(page.locator('#status').textContent()).resolves.toMatch(/base_lr is positive/);
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('offers "Try again" and the Linux flags when WebGPU has no adapter', async () => {
    const { context, page, errors } = await openPage({
      init: () => {
        GPU.prototype.requestAdapter = async () => null;
      },
    });
    await page.goto(site.url);
    await page.waitForSelector('body[data-state="no-webgpu"]');
    await expect(page.locator('#message').textContent()).resolves.toMatch(/no GPU could be opened[\s\S]*--enable-unsafe-webgpu/);
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('says what the browser needs when WebGPU is missing, and still draws the nets', async () => {
    const { context, page, errors } = await openPage({
      init: () => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
      },
    });
    await page.goto(site.url);
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
    // Keep every device the page opens, so the test can pull the current one away.
    const { context, page, errors } = await openPage({ init: keepDevices });
    await page.goto(site.url);
    await page.waitForSelector('body[data-state="ready"]');
    await destroyLastDevice(page);
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
    expect(await devicesOpened(page)).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
