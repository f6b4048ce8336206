// Typing in the find box of a long list, measured as the browser sees it: for each keystroke of
// a query, the Event Timing entry of the key press (input delay, processing, and until the next
// paint). A benchmark, not a test: it prints figures and asserts nothing.
//
//   node scripts/bench-typing.mjs [--dist dist] [--orgs 10000] [--query "org 0001"] [--runs 3]
//
// The page is served by the side-by-side bench's stub API (../shared/bench/stub_api.py, no
// sign-in) and driven in Debian's Chromium by playwright-core from the bench's cache
// (`../shared/bench/run` installs it on first use); nothing downloads a browser.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const bench = path.resolve(here, '../../shared/bench');
const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'myorgs-spa-bench');
const { chromium } = createRequire(path.join(cache, 'package.json'))('playwright-core');

const opt = { dist: path.resolve(here, '../dist'), orgs: 10000, query: 'org 0001', runs: 3 };
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

const stub = spawn('python3', [path.join(bench, 'stub_api.py'), '--port', '0', '--static', opt.dist,
  '--orgs', String(opt.orgs)], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  stub.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  stub.on('exit', () => reject(new Error('stub_api.py exited')));
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const perKey = [];
try {
  for (let run = 0; run < Number(opt.runs); run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/organizations`);
    const last = `Org ${String(opt.orgs).padStart(5, '0')}`;
    await page.getByText(last, { exact: false }).first().waitFor({ timeout: 120000 });
    await page.evaluate(() => {
      window.keyTimings = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name === 'keydown' || e.name === 'keypress' || e.name === 'keyup' || e.name === 'input') {
            window.keyTimings.push({ name: e.name, duration: e.duration, start: e.startTime });
          }
        }
      }).observe({ type: 'event', durationThreshold: 16, buffered: true });
    });
    await page.focus('#find-organizations');
    for (const key of opt.query) {
      await page.keyboard.type(key);
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(500);
    const timings = await page.evaluate(() => window.keyTimings);
    const rows = await page.locator('li.org-row').count();
    // The longest event of each keystroke (keydown … input share one interaction).
    const byKey = opt.query.split('').map(() => 0);
    const starts = timings.filter((t) => t.name === 'keydown').map((t) => t.start);
    for (const t of timings) {
      let k = starts.findLastIndex((s) => s <= t.start + 1);
      if (k < 0) k = 0;
      byKey[k] = Math.max(byKey[k] || 0, t.duration);
    }
    perKey.push(byKey);
    console.log(`run ${run + 1}: ${rows} rows left; per keystroke (ms, 16 ms granularity, 0 = under 16):`,
      byKey.map((d) => d.toFixed(0)).join(' '));
    await page.close();
  }
} finally {
  await browser.close();
  stub.kill();
}
const keys = opt.query.split('');
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\n${opt.orgs} organizations, typing ${JSON.stringify(opt.query)}, median of ${opt.runs} runs:`);
keys.forEach((k, i) => console.log(`  ${JSON.stringify(k)}: ${median(perKey.map((r) => r[i] || 0)).toFixed(0)} ms`));
