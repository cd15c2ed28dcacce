// One Alipay login with the official Node SDK (alipay-sdk), as one process, for timing against
// `authwalk run alipay-web --json --sandbox …`: approve the consent page (one POST), then
// alipay.system.oauth.token and alipay.user.info.share through the SDK with validateSign, so
// each request is signed and each response's signature verified. Prints one line; exits
// non-zero on any failure. Needs SANDBOX_JSON and TZ=Asia/Shanghai; run from a folder where
// alipay-sdk is installed (ES modules resolve packages next to the importing file).
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { AlipaySdk } from 'alipay-sdk';

const manifest = JSON.parse(readFileSync(process.env.SANDBOX_JSON, 'utf8'));
const app = manifest.alipay.apps[0];

const url = `${manifest.alipay.authorize}?app_id=${app.app_id}&scope=auth_user` +
  `&redirect_uri=${encodeURIComponent(app.redirect_uri)}&state=node`;
const consent = await fetch(url, {
  method: 'POST',
  redirect: 'manual',
  body: new URLSearchParams({ user: 'alipay-certified', decision: 'approve' }),
});
assert.equal(consent.status, 302);
const code = new URL(consent.headers.get('location')).searchParams.get('auth_code');

const sdk = new AlipaySdk({
  appId: app.app_id,
  privateKey: readFileSync(app.app_private_key, 'utf8'),
  alipayPublicKey: readFileSync(app.alipay_public_key, 'utf8'),
  gateway: manifest.alipay.gateway,
  signType: app.sign_type,
  keyType: 'PKCS8',
  camelcase: false,
});
const token = await sdk.exec('alipay.system.oauth.token',
  { grant_type: 'authorization_code', code }, { validateSign: true });
assert.ok(token.access_token, JSON.stringify(token));
const info = await sdk.exec('alipay.user.info.share',
  { auth_token: token.access_token }, { validateSign: true });
assert.equal(info.code, '10000', JSON.stringify(info));
assert.equal(info.user_id, token.user_id);
console.log(`ok ${info.user_id}`);
