"""wechatpy's WeChatOAuth against the sandbox, with only its two base URLs changed: approve
the consent page with one POST, exchange the code, check the token, read the profile, refresh;
then the website app through qrconnect. WeChat signs nothing, so "verification" here is the
SDK's own errcode handling: a reused code must raise WeChatOAuthException 40163.

SDK quirk: older wechatpy quotes redirect_uri keeping "/" unescaped; the sandbox, like
WeChat, accepts it.
"""

import json
import os
import sys
import urllib.parse

import requests
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth


def approve(url, user):
    resp = requests.post(url, data={"user": user, "decision": "approve"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
    assert query["state"] == ["wechatpy"], query
    return query["code"][0]


def oauth_for(manifest, app, scope):
    oauth = WeChatOAuth(app["appid"], app["secret"], app["redirect_uri"], scope=scope, state="wechatpy")
    oauth.API_BASE_URL = manifest["wechat"]["api_base"].rstrip("/") + "/"
    oauth.OAUTH_BASE_URL = manifest["wechat"]["open_base"].rstrip("/") + "/connect/"
    return oauth


def main():
    with open(os.environ["SANDBOX_JSON"], encoding="utf-8") as f:
        manifest = json.load(f)
    oa, website = manifest["wechat"]["apps"][0], manifest["wechat"]["apps"][1]

    oauth = oauth_for(manifest, oa, "snsapi_userinfo")
    code = approve(oauth.authorize_url, "wechat-unionid")
    token = oauth.fetch_access_token(code)
    assert token["scope"] == "snsapi_userinfo", token
    assert oauth.check_access_token()
    info = oauth.get_user_info()
    assert info["nickname"] == "Lily" and info["sex"] == 0 and info["unionid"], info
    # A refresh while the token is valid keeps it, with a new expiry (WeChat's website/app login
    # page says so).
    refreshed = oauth.refresh_access_token(token["refresh_token"])
    assert refreshed["access_token"] == token["access_token"], refreshed
    assert oauth.get_user_info()["openid"] == token["openid"]
    print(f"  official account: {info['nickname']} ({info['openid']})")
    try:
        oauth.fetch_access_token(code)
    except WeChatOAuthException as e:
        assert e.errcode == 40163, e
        print("  reused code rejected with 40163")
    else:
        sys.exit("a reused code was accepted")

    web = oauth_for(manifest, website, "snsapi_login")
    code = approve(web.qrconnect_url, "wechat-emoji")
    web.fetch_access_token(code)
    info = web.get_user_info()
    assert info["nickname"] == "小鱼🐟🌊", info
    print(f"  website app (qrconnect): {info['nickname']}")


if __name__ == "__main__":
    main()
