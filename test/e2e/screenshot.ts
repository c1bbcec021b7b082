/** `npx tsx test/e2e/screenshot.ts PAGE.html OUT.png [WIDTH]`: a full-page PNG of a report in headless Chromium, to look at. */
import { chromium } from 'playwright-core';

const [page, out, width, height] = process.argv.slice(2);
if (!page || !out) throw new Error('usage: screenshot.ts PAGE.html OUT.png [WIDTH]');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
const tab = await browser.newPage({ viewport: { width: Number(width ?? 1280), height: Number(height ?? 900) } });
await tab.goto(`file://${page.startsWith('/') ? page : `${process.cwd()}/${page}`}`);
await tab.screenshot({ path: out, fullPage: height === undefined });
await browser.close();
