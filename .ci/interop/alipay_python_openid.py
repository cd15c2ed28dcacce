"""alipay-sdk-python walks the sandbox's open_id apps: token and user info with the SDK's own
signing and verification, on an app that gets only open_id (approved in 2024, so none of the
four fields withheld since 2019-12-24), on a migrating app (both ids) and on the two apps of
one app group (one union_id, two open_ids).

The SDK needs nothing for open_id: DefaultAlipayClient.execute returns the verified response
node as text, and its response models already carry the ids (alipay-sdk-python 3.7.1411,
alipay/aop/api/response/AlipaySystemOauthTokenResponse.py has user_id, alipay_user_id, open_id
and union_id). This check reads the verified JSON, as execute returns it. The quirks of
alipay_python.py (the port, PKCS#1 one-line keys, the China-time timestamp) apply here too.
"""

import json
import os

from alipay.aop.api.request.AlipaySystemOauthTokenRequest import AlipaySystemOauthTokenRequest
from alipay.aop.api.request.AlipayUserInfoShareRequest import AlipayUserInfoShareRequest

from alipay_python import approve, client_for, read

HIDDEN = ("user_status", "is_certified", "user_type", "is_student_certified")


def walk(manifest, app, user):
    client = client_for(manifest, app)
    token_request = AlipaySystemOauthTokenRequest()
    token_request.grant_type = "authorization_code"
    token_request.code = approve(manifest, app, user)
    token = json.loads(client.execute(token_request))
    assert token.get("access_token"), token
    info_request = AlipayUserInfoShareRequest()
    info_request.add_other_text_param("auth_token", token["access_token"])
    info = json.loads(client.execute(info_request))
    assert info["code"] == "10000", info
    return token, info


def main():
    manifest = json.loads(read(os.environ["SANDBOX_JSON"]))
    apps = [a for a in manifest["alipay"]["apps"] if a["id_mode"] in ("openid", "both")]
    assert apps, "the sandbox lists no open_id app"
    groups = {}
    for app in apps:
        token, info = walk(manifest, app, "alipay-certified")
        mode = app["id_mode"]
        assert token.get("open_id") and token["open_id"] == info.get("open_id"), (token, info)
        if mode == "openid":
            assert "user_id" not in token and "user_id" not in info, (token, info)
        else:
            assert token.get("user_id") and token["user_id"] == info.get("user_id"), (token, info)
        if app["approved"] > "2019-12-24":
            assert not any(f in info for f in HIDDEN), info
        if app.get("union_group"):
            assert token.get("union_id"), token
            groups.setdefault(app["union_group"], []).append((token["union_id"], token["open_id"]))
        print(f"  {app['app_id']} ({mode}, approved {app['approved']}): open_id verified")
    for group, ids in groups.items():
        assert len(ids) >= 2, f"group {group} has one app"
        assert len({u for u, _ in ids}) == 1, f"group {group}: union_ids differ"
        assert len({o for _, o in ids}) == len(ids), f"group {group}: open_ids repeat"
        print(f"  group {group}: {len(ids)} apps, one union_id, distinct open_ids")


if __name__ == "__main__":
    main()
