// The official Node SDK (alipay-sdk) against the sandbox: approve, exchange the code, read the
// profile with validateSign, then check that a tampered response is rejected; the same in
// certificate mode (appCertPath, alipayPublicCertPath, alipayRootCertPath), and over OpenAPI v3
// with curl(), in both modes, with a tampered v3 header rejected.
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

// Certificate mode as the SDK reads it: it computes app_cert_sn, alipay_cert_sn and
// alipay_root_cert_sn itself (dist/esm/antcertutil.js) and takes Alipay's key from its
// certificate.
function certSdkFor(app) {
  return new AlipaySdk({
    appId: app.app_id,
    privateKey: readFileSync(app.app_private_key, 'utf8'),
    appCertPath: app.app_cert,
    alipayPublicCertPath: app.alipay_cert,
    alipayRootCertPath: app.alipay_root_cert,
    gateway: manifest.alipay.gateway,
    endpoint: manifest.alipay.gateway.replace(/\/gateway\.do$/, ''),
    signType: 'RSA2',
    keyType: 'PKCS8',
    camelcase: false,
  });
}

function sdkFor(app) {
  return new AlipaySdk({
    appId: app.app_id,
    privateKey: readFileSync(app.app_private_key, 'utf8'),
    alipayPublicKey: readFileSync(app.alipay_public_key, 'utf8'),
    gateway: manifest.alipay.gateway,
    endpoint: manifest.alipay.gateway.replace(/\/gateway\.do$/, ''),
    signType: app.sign_type,
    keyType: 'PKCS8',
    camelcase: false,
  });
}

const keyApps = manifest.alipay.apps.filter(a => a.mode !== 'cert');
const certApps = manifest.alipay.apps.filter(a => a.mode === 'cert');
assert.ok(certApps.length > 0, 'the sandbox lists a certificate-mode app');

for (const app of keyApps.filter(a => a.charset.toLowerCase() === 'utf-8')) {
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

for (const app of certApps) {
  const sdk = certSdkFor(app);
  const code = await approve(app, 'alipay-certified');
  const token = await sdk.exec('alipay.system.oauth.token',
    { grant_type: 'authorization_code', code }, { validateSign: true });
  assert.ok(token.access_token, JSON.stringify(token));
  const info = await sdk.exec('alipay.user.info.share',
    { auth_token: token.access_token }, { validateSign: true });
  assert.equal(info.code, '10000', JSON.stringify(info));
  assert.ok(info.user_id, JSON.stringify(info));
  console.log(`  ${app.app_id} (certificate mode, exec): ${info.nick_name} verified`);
}

// OpenAPI v3 with curl(): the SDK signs the Authorization header and verifies the
// alipay-signature header itself (it throws on a mismatch), in both modes.
for (const [app, sdk, label] of [
  [keyApps[0], sdkFor(keyApps[0]), 'public key'],
  [certApps[0], certSdkFor(certApps[0]), 'certificate'],
]) {
  const code = await approve(app, 'alipay-certified');
  const token = await sdk.curl('POST', '/v3/alipay/system/oauth/token', {
    body: { grant_type: 'authorization_code', code },
  });
  assert.equal(token.responseHttpStatus, 200);
  assert.ok(token.data.access_token, JSON.stringify(token.data));
  const info = await sdk.curl('POST', '/v3/alipay/user/info/share', {
    query: { auth_token: token.data.access_token },
  });
  assert.equal(info.responseHttpStatus, 200);
  assert.ok(info.data.user_id, JSON.stringify(info.data));
  console.log(`  ${app.app_id} (${label}, curl v3): ${info.data.nick_name} verified`);
  // A v3 error is HTTP 4xx {code, message, links}, which the SDK turns into its error.
  await assert.rejects(
    sdk.curl('POST', '/v3/alipay/user/info/share', { query: { auth_token: 'authusrBnot-a-token' } }),
    err => err.code === 'invalid-auth-token' && err.responseHttpStatus === 401 && err.links.length === 1,
  );
}

async function arm(method) {
  const armed = await fetch(`${manifest.control}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authwalk-sandbox-token': manifest.token },
    body: JSON.stringify({ provider: 'alipay', method, fault: 'tampered-signature' }),
  });
  assert.equal(armed.status, 200);
}

{
  const app = keyApps[0];
  const sdk = sdkFor(app);
  const code = await approve(app, 'alipay-certified');
  await arm('alipay.system.oauth.token');
  await assert.rejects(
    sdk.curl('POST', '/v3/alipay/system/oauth/token', {
      body: { grant_type: 'authorization_code', code },
    }),
    err => err.code === 'response-signature-verify-error',
  );
  console.log('  tampered v3 response header rejected by the SDK');
}

const app = keyApps[0];
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
