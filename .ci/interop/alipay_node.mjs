// The official Node SDK (alipay-sdk) against the sandbox: approve, exchange the code, read the
// profile with validateSign, then check that a tampered response is rejected.
//
// SDK quirks met here:
// - It signs and verifies UTF-8 only (crypto `update(…, 'utf8')`), so the GBK demo app is
//   skipped: GBK is exercised by the Python SDK.
// - Response verification runs only with `{ validateSign: true }`.
// - timestamp is formatted in the local zone: the caller runs this with TZ=Asia/Shanghai.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { AlipaySdk } from 'alipay-sdk';

const manifest = JSON.parse(readFileSync(process.env.SANDBOX_JSON, 'utf8'));

async function approve(app, user) {
  const url = `${manifest.alipay.authorize}?app_id=${app.app_id}&scope=auth_user` +
    `&redirect_uri=${encodeURIComponent(app.redirect_uri)}&state=node`;
  const resp = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ user, decision: 'approve' }),
  });
  assert.equal(resp.status, 302);
  const location = new URL(resp.headers.get('location'));
  assert.equal(location.searchParams.get('state'), 'node');
  return location.searchParams.get('auth_code');
}

function sdkFor(app) {
  return new AlipaySdk({
    appId: app.app_id,
    privateKey: readFileSync(app.app_private_key, 'utf8'),
    alipayPublicKey: readFileSync(app.alipay_public_key, 'utf8'),
    gateway: manifest.alipay.gateway,
    signType: app.sign_type,
    keyType: 'PKCS8',
    camelcase: false,
  });
}

for (const app of manifest.alipay.apps.filter(a => a.charset.toLowerCase() === 'utf-8')) {
  const sdk = sdkFor(app);
  const code = await approve(app, 'alipay-certified');
  const token = await sdk.exec('alipay.system.oauth.token',
    { grant_type: 'authorization_code', code }, { validateSign: true });
  assert.ok(token.access_token, JSON.stringify(token));
  const info = await sdk.exec('alipay.user.info.share',
    { auth_token: token.access_token }, { validateSign: true });
  assert.equal(info.code, '10000', JSON.stringify(info));
  const who = app.open_id_only ? info.open_id : info.user_id;
  assert.ok(who, JSON.stringify(info));
  console.log(`  ${app.app_id} (${app.sign_type}${app.open_id_only ? ', open_id' : ''}): ${info.nick_name} verified`);
}

const app = manifest.alipay.apps[0];
const sdk = sdkFor(app);
const code = await approve(app, 'alipay-certified');
const armed = await fetch(`${manifest.control}/faults`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-authwalk-sandbox-token': manifest.token },
  body: JSON.stringify({ provider: 'alipay', method: 'alipay.system.oauth.token', fault: 'tampered-signature' }),
});
assert.equal(armed.status, 200);
await assert.rejects(
  sdk.exec('alipay.system.oauth.token', { grant_type: 'authorization_code', code }, { validateSign: true }),
  /验签失败/,
);
console.log('  tampered response rejected by the SDK');
