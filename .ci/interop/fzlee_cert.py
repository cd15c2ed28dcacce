"""fzlee's python-alipay-sdk (`alipay` on PyPI as python-alipay-sdk) in certificate mode
(DCAliPay) against the sandbox: exchange a code and read the profile, each answer verified by
the SDK with the key of Alipay's certificate.

SDK quirks met here (python-alipay-sdk 3.4.0, alipay/__init__.py):
- DCAliPay computes the SNs with a hard-coded issuer string 'CN={},OU={},O={},C={}' and splits
  the root bundle on blank lines ('\\n\\n'), so a CRLF bundle is read as one certificate; the
  sandbox's issuer has exactly those four attributes and its bundle uses LF, so both hold here
  (`authwalk keys inspect` flags a bundle where they would not).
- It has no method for alipay.system.oauth.token or alipay.user.info.share: server_api() sends
  any method, with grant_type/code/auth_token as top-level parameters and an empty biz_content.
- It never reads alipay_cert_sn: every answer is checked with the one configured certificate.
- timestamp is the local time: the caller runs this with TZ=Asia/Shanghai.
"""

import json
import os
import urllib.parse
import urllib.request

from alipay import DCAliPay


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def approve(manifest, app, user):
    query = urllib.parse.urlencode(
        {"app_id": app["app_id"], "scope": "auth_user", "redirect_uri": app["redirect_uri"], "state": "fzlee"}
    )
    req = urllib.request.Request(
        manifest["alipay"]["authorize"] + "?" + query,
        data=urllib.parse.urlencode({"user": user, "decision": "approve"}).encode(),
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(req)
    except urllib.error.HTTPError as e:
        assert e.code == 302, e.code
        location = e.headers["location"]
    params = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    return params["auth_code"][0]


def main():
    manifest = json.loads(read(os.environ["SANDBOX_JSON"]))
    apps = [a for a in manifest["alipay"]["apps"] if a.get("mode") == "cert"]
    assert apps, "the sandbox lists a certificate-mode app"
    for app in apps:
        client = DCAliPay(
            appid=app["app_id"],
            app_private_key_string=read(app["app_private_key"]),
            app_public_key_cert_string=read(app["app_cert"]),
            alipay_public_key_cert_string=read(app["alipay_cert"]),
            alipay_root_cert_string=read(app["alipay_root_cert"]),
            sign_type="RSA2",
        )
        client._gateway = manifest["alipay"]["gateway"]
        code = approve(manifest, app, "alipay-certified")
        token = client.server_api(
            "alipay.system.oauth.token", grant_type="authorization_code", code=code
        )
        assert token.get("access_token"), token
        info = client.server_api("alipay.user.info.share", auth_token=token["access_token"])
        assert info.get("code") == "10000", info
        assert info.get("user_id"), info
        print(f"  {app['app_id']} (DCAliPay, certificate mode): {info.get('nick_name')} verified")


if __name__ == "__main__":
    main()
