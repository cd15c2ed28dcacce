"""wechatpy's WeChatComponent and ComponentOAuth (the third-party platform logging a user in for
an Official Account) against the sandbox, with only the base URLs changed: the verify ticket
WeChat pushes is put in the SDK's session as its push handler would, then the component token,
the authorize URL with component_appid, the component exchange, /sns/userinfo and the component
refresh. A wrong component_access_token must raise 40001 (the EasyWeChat #2049 mix-up).

SDK notes (wechatpy 1.8.18, wechatpy/component.py): the token request is a JSON body sent with
no Content-Type header; the ticket is read from the session key `component_verify_ticket`
(no appid prefix), so one session cannot hold two platforms' tickets.
"""

import json
import os
import sys
import urllib.parse

import requests
from wechatpy.component import ComponentOAuth, WeChatComponent
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException


def approve(url, user):
    resp = requests.post(url, data={"user": user, "decision": "approve"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
    assert query["state"] == ["wechatpy"], query
    return query


def main():
    with open(os.environ["SANDBOX_JSON"], encoding="utf-8") as f:
        manifest = json.load(f)
    platform = manifest["wechat"]["components"][0]
    api = manifest["wechat"]["api_base"].rstrip("/")
    oa = next(a for a in manifest["wechat"]["apps"] if a["appid"] == platform["authorizers"][0])

    component = WeChatComponent(
        platform["component_appid"],
        platform["component_appsecret"],
        platform["token"],
        platform["encoding_aes_key"],
    )
    component.API_BASE_URL = api + "/cgi-bin"
    # What the SDK's push handler stores when WeChat posts the ticket.
    component.session.set("component_verify_ticket", platform["verify_ticket"])
    token = component.fetch_access_token()
    assert token["expires_in"] == 7200, token

    oauth = component.get_component_oauth(oa["appid"])
    oauth.API_BASE_URL = api + "/"
    oauth.OAUTH_BASE_URL = manifest["wechat"]["open_base"].rstrip("/") + "/connect/"
    url = oauth.get_authorize_url(oa["redirect_uri"], scope="snsapi_userinfo", state="wechatpy")
    assert "&component_appid=" in url, url
    query = approve(url, "wechat-unionid")
    assert query["appid"] == [oa["appid"]], query
    res = oauth.fetch_access_token(query["code"][0])
    info = oauth.get_user_info()
    assert info["nickname"] == "Lily" and info["openid"] == res["openid"], info
    refreshed = oauth.refresh_access_token(res["refresh_token"])
    assert refreshed["access_token"] != res["access_token"]
    print(f"  component login for {oa['appid']}: {info['nickname']} ({info['openid']})")

    # The mix-up: the console's message Token where the component token belongs.
    wrong = ComponentOAuth(oa["appid"], component=type("C", (), {
        "component_appid": platform["component_appid"], "access_token": platform["token"],
        # On 40001 the SDK would fetch a fresh component token and retry, hiding the mix-up.
        "auto_retry": False})())
    wrong.API_BASE_URL = api + "/"
    wrong.OAUTH_BASE_URL = oauth.OAUTH_BASE_URL
    query = approve(wrong.get_authorize_url(oa["redirect_uri"], scope="snsapi_base", state="wechatpy"), "wechat-unionid")
    try:
        wrong.fetch_access_token(query["code"][0])
    except (WeChatOAuthException, WeChatClientException) as e:
        assert e.errcode == 40001, e
        print("  message Token as component_access_token rejected with 40001")
    else:
        sys.exit("a component exchange with the message Token was accepted")


if __name__ == "__main__":
    main()
