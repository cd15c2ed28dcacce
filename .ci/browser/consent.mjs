// Drive headless Debian Chromium through both consent pages: open the authorize URL, pick a
// demo user, click approve, and land on the callback with a code. Screenshots go to
// $SCREENSHOT_DIR.
import { readFileSync, rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const manifest = JSON.parse(readFileSync(process.env.SANDBOX_JSON, 'utf8'));
const shots = process.env.SCREENSHOT_DIR;
const userDataDir = process.env.USER_DATA_DIR;

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

async function walk(name, authorizeUrl, user, codeField) {
  const page = await context.newPage();
  await page.goto(authorizeUrl);
  await page.screenshot({ path: `${shots}/sandbox-${name}-consent.png`, fullPage: true });
  await page.check(`input[name=user][value="${user}"]`);
  await Promise.all([
    page.waitForURL(/\/__sandbox\/callback/),
    page.click('button[value=approve]'),
  ]);
  const url = new URL(page.url());
  const code = url.searchParams.get(codeField);
  assert.ok(code && code.length >= 16, `no ${codeField} in ${page.url()}`);
  assert.equal(url.searchParams.get('state'), 'browser');
  assert.equal((await page.textContent(`#${codeField}`)).trim(), code);
  console.log(`  ${name}: approved as ${user}, landed with ${codeField}=${code.slice(0, 6)}…`);
  await page.close();
}

try {
  const alipay = manifest.alipay.apps[0];
  await walk(
    'alipay',
    `${manifest.alipay.authorize}?app_id=${alipay.app_id}&scope=auth_user` +
      `&redirect_uri=${encodeURIComponent(alipay.redirect_uri)}&state=browser`,
    'alipay-emoji',
    'auth_code',
  );
  const wechat = manifest.wechat.apps[0];
  await walk(
    'wechat',
    `${manifest.wechat.open_base}/connect/oauth2/authorize?appid=${wechat.appid}` +
      `&redirect_uri=${encodeURIComponent(wechat.redirect_uri)}&response_type=code` +
      `&scope=snsapi_userinfo&state=browser#wechat_redirect`,
    'wechat-unionid',
    'code',
  );
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
