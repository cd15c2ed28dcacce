"""wechatpy's WeCom (企业微信) client against the sandbox: the corp token, the authorize URL,
one POST on the consent page, then the visitor's identity for a member and for an external
contact. Only base URLs change.

Where wechatpy 1.8.18 differs from WeCom's current documents:
- the client is `wechatpy.enterprise.WeChatClient` (`wechatpy.work` is the 2.x name);
- `fetch_access_token` has the host written in (https://qyapi.weixin.qq.com/cgi-bin/gettoken),
  so this script points the same SDK call at the sandbox's /cgi-bin/gettoken;
- `oauth.authorize_url` always asks `snsapi_base` and never sends `agentid`, so a member's
  `user_ticket` (snsapi_privateinfo) cannot be had through it;
- `oauth.get_user_info` calls the older `/cgi-bin/user/getuserinfo`, which answers `UserId`,
  `OpenId` and `DeviceId` (the current `/cgi-bin/auth/getuserinfo` answers lowercase keys).
"""

import json
import os
import sys
import urllib.parse

import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException


def approve(url, user):
    resp = requests.post(url, data={"user": user, "decision": "approve"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
    assert query["state"] == ["wechatpy"], query
    return query["code"][0]


def client_for(manifest, corp):
    api = manifest["wechat"]["api_base"].rstrip("/")

    class SandboxClient(WeChatClient):
        API_BASE_URL = api + "/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=api + "/cgi-bin/gettoken",
                params={"corpid": self.corp_id, "corpsecret": self.secret},
            )

    client = SandboxClient(corp["corpid"], corp["corpsecret"])
    client.oauth.OAUTH_BASE_URL = manifest["wechat"]["open_base"].rstrip("/") + "/connect/oauth2/authorize"
    return client


def main():
    with open(os.environ["SANDBOX_JSON"], encoding="utf-8") as f:
        manifest = json.load(f)
    corp = manifest["wechat"]["wecom"][0]
    client = client_for(manifest, corp)
    url = client.oauth.authorize_url(corp["redirect_uri"], state="wechatpy")
    assert "appid=" + corp["corpid"] in url, url

    member = client.oauth.get_user_info(approve(url, "wechat-unionid"))
    assert member["UserId"] == corp["standing"]["wechat-unionid"].split(":", 1)[1], member
    print(f"  member: UserId {member['UserId']} (older endpoint's casing)")

    external = client.oauth.get_user_info(approve(url, "wechat-emoji"))
    assert external["OpenId"] and external["external_userid"], external
    print(f"  external contact: OpenId {external['OpenId']}, external_userid {external['external_userid']}")

    # A code is single use.
    code = approve(url, "wechat-unionid")
    client.oauth.get_user_info(code)
    try:
        client.oauth.get_user_info(code)
    except WeChatClientException as e:
        assert e.errcode == 40029, e
        print("  reused code rejected with 40029")
    else:
        sys.exit("a reused WeCom code was accepted")


if __name__ == "__main__":
    main()
