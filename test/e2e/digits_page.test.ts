/**
 * The Digits page end to end in headless Chromium on SwiftShader's WebGPU: build the demo with Vite,
 * serve dist-demo/, train until the held-out accuracy reaches 90 %, then draw a held-out digit on
 * the pad with mouse events and check the net reads it; and pull the GPU device away and check the
 * page offers a restart that trains again. Saves test-artifacts/digits.png (1280×900).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ARTIFACTS, CHROMIUM, collectErrors, destroyLastDevice, devicesOpened, haveChromium, keepDevices, ROOT, useDemoSite } from '../helpers/browser.js';

/** Training to 92 % takes well under a minute on SwiftShader; a busy machine gets room. */
const TRAIN_TIMEOUT = 240_000;

/** The shipped data's held-out rows (the last 297), read here independently of the page's parser. */
function heldOutRows(): Array<{ pixels: number[]; label: number }> {
  const rows = gunzipSync(readFileSync(join(ROOT, 'demo/digits/data/digits.csv.gz'))).toString('utf8').trim().split('\n');
  expect(rows).toHaveLength(1797);
  return rows.slice(-297).map((r) => {
    const v = r.split(',').map(Number);
    return { pixels: v.slice(0, 64), label: v[64]! };
  });
}

describe.skipIf(!haveChromium)(haveChromium ? 'Digits page in headless Chromium (SwiftShader WebGPU)' : `Digits page: SKIPPED because ${CHROMIUM} is missing`, () => {
  const site = useDemoSite();

  it('trains to ≥ 90 % held-out accuracy and reads a digit drawn on the pad', async () => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = collectErrors(page);

    // The Toy Regression page links here.
    await page.goto(site.url);
    await page.getByRole('link', { name: 'Digits' }).click();
    await page.waitForSelector('body[data-state="ready"]');
    await expect(page.locator('#adapter').textContent()).resolves.toMatch(/swiftshader/i);
    const untrained = Number(await page.locator('#heldout').getAttribute('data-accuracy'));
    expect(untrained).toBeLessThan(0.5);

    // Train past 92 %, so the score after pausing (one more chunk) stays above 90 % despite Adam's wobble.
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#heldout')?.getAttribute('data-accuracy')) >= 0.92, null, { polling: 500, timeout: TRAIN_TIMEOUT });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('body[data-state="ready"]');
    const accuracy = Number(await page.locator('#heldout').getAttribute('data-accuracy'));
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    const iterations = Number(await page.locator('#iteration').textContent());
    expect(iterations).toBeGreaterThan(0);
    // Every chunk's loss came back; the last ones are well below ln 10 (chance).
    expect(Number(await page.locator('#loss').textContent())).toBeLessThan(1);
    expect(await page.locator('table.confusion tbody tr').count()).toBe(10);
    // The diagonal holds the right answers: its sum over 297 is the reported accuracy.
    const diagonal = await page.$$eval('table.confusion tbody tr', (rows) => rows.reduce((a, r, i) => a + Number(r.querySelectorAll('td')[i]?.textContent || 0), 0));
    expect(diagonal / 297).toBeCloseTo(accuracy, 6);
    expect(await page.locator('#plot-loss svg').count()).toBe(1);
    expect(await page.locator('#plot-accuracy svg').count()).toBe(1);

    // Draw a held-out 0 scaled up: one horizontal stroke over each run of inked cells per row.
    const digit = heldOutRows().find((r) => r.label === 0)!;
    // At 1280×900 the pad is in view without scrolling.
    const box = (await page.locator('#pad').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    const cell = box.width / 8;
    let strokes = 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        if (digit.pixels[y * 8 + x]! < 8 || (x > 0 && digit.pixels[y * 8 + x - 1]! >= 8)) continue;
        let end = x;
        while (end + 1 < 8 && digit.pixels[y * 8 + end + 1]! >= 8) end++;
        const cy = box.y + (y + 0.5) * cell;
        await page.mouse.move(box.x + (x + 0.5) * cell, cy);
        await page.mouse.down();
        await page.mouse.move(box.x + (end + 0.5) * cell, cy, { steps: 4 });
        await page.mouse.up();
        strokes++;
      }
    }
    // The last stroke's classification includes the whole drawing.
    await page.waitForFunction((n) => document.querySelector('#prediction')?.getAttribute('data-strokes') === String(n), strokes);
    expect(await page.locator('#prediction').getAttribute('data-digit')).toBe(String(digit.label));
    await page.screenshot({ path: join(ARTIFACTS, 'digits.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('shows a message and a working restart when the device is lost', async () => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = collectErrors(page);
    await page.addInitScript(keepDevices);
    await page.goto(new URL('digits.html', site.url).href);
    await page.waitForSelector('body[data-state="ready"]');
    await destroyLastDevice(page);
    await page.waitForSelector('body[data-state="lost"]');
    await expect(page.locator('#message').textContent()).resolves.toMatch(/device was lost/i);
    expect(await page.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true);
    const restart = page.getByRole('button', { name: 'Restart the GPU' });
    expect(await restart.isVisible()).toBe(true);
    await restart.click();
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.locator('#message').isHidden()).toBe(true);
    // A fresh net on the new device, and it trains.
    expect(await page.locator('#iteration').textContent()).toBe('0');
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#iteration')?.textContent) >= 10);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('body[data-state="ready"]');
    expect(Number(await page.locator('#loss').textContent())).toBeGreaterThan(0);
    expect(await devicesOpened(page)).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
