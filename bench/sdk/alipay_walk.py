"""One Alipay login with the official alipay-sdk-python, as one process, for timing against
`authwalk run alipay-web --json --sandbox …`: approve the consent page (one POST), then
alipay.system.oauth.token and alipay.user.info.share through the SDK, which signs each request
and verifies each response's signature. Prints one line; exits non-zero on any failure.

Needs SANDBOX_JSON (a running `authwalk sandbox`) and TZ=Asia/Shanghai (the SDK formats
`timestamp` in the local zone). The SDK's two quirks are handled as in .ci/interop: the port
of server_url is kept, and the PKCS#8 key is handed over as one-line PKCS#1.
"""

import base64
import http.client
import json
import os
import urllib.parse

from pyasn1.codec.der import decoder

import alipay.aop.api.util.WebUtils as web_utils
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.request.AlipaySystemOauthTokenRequest import AlipaySystemOauthTokenRequest
from alipay.aop.api.request.AlipayUserInfoShareRequest import AlipayUserInfoShareRequest


def get_http_connection(url, query_string, timeout):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=timeout)
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}?{query_string}", connection


web_utils.get_http_connection = get_http_connection


def one_line(pem):
    return "".join(line.strip() for line in pem.splitlines() if line and "-----" not in line)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def approve(manifest, app):
    authorize = urllib.parse.urlparse(manifest["alipay"]["authorize"])
    query = urllib.parse.urlencode(
        {"app_id": app["app_id"], "scope": "auth_user", "redirect_uri": app["redirect_uri"], "state": "py"}
    )
    conn = http.client.HTTPConnection(authorize.hostname, authorize.port, timeout=10)
    conn.request(
        "POST",
        f"{authorize.path}?{query}",
        body="user=alipay-certified&decision=approve",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    resp = conn.getresponse()
    assert resp.status == 302, resp.status
    location = urllib.parse.urlparse(resp.getheader("Location"))
    return urllib.parse.parse_qs(location.query)["auth_code"][0]


def main():
    manifest = json.loads(read(os.environ["SANDBOX_JSON"]))
    app = manifest["alipay"]["apps"][0]
    config = AlipayClientConfig()
    config.server_url = manifest["alipay"]["gateway"]
    config.app_id = app["app_id"]
    info, _ = decoder.decode(base64.b64decode(one_line(read(app["app_private_key"]))))
    config.app_private_key = base64.b64encode(bytes(info[2])).decode()
    config.alipay_public_key = one_line(read(app["alipay_public_key"]))
    config.sign_type = app["sign_type"]
    config.charset = app["charset"]
    client = DefaultAlipayClient(config)

    token_request = AlipaySystemOauthTokenRequest()
    token_request.grant_type = "authorization_code"
    token_request.code = approve(manifest, app)
    token = json.loads(client.execute(token_request))
    assert token.get("access_token"), token

    info_request = AlipayUserInfoShareRequest()
    info_request.add_other_text_param("auth_token", token["access_token"])
    info = json.loads(client.execute(info_request))
    assert info["code"] == "10000" and info["user_id"] == token["user_id"], info
    print(f"ok {info['user_id']}")


if __name__ == "__main__":
    main()
