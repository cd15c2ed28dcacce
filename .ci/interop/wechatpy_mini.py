"""wechatpy against the sandbox's mini program login: the mini program's side is played with the
sandbox's control calls (wx.login, the profile button's encrypted data, the phone button's code),
the server's side with wechatpy's own client: WeChatWxa.code_to_session, WeChatWxaCrypto
.decrypt_message, and the phone number through the client's request machinery (wechatpy 1.8.18
has no getuserphonenumber method). authwalk's decryption is then checked against wechatpy's on
the same data, including the call-order failure.

SDK quirks: WeChatClient.fetch_access_token and WeChatWxa.API_BASE_URL hard-code
api.weixin.qq.com, so the sandbox's base goes into a subclass and the wxa instance; wechatpy
also sends its basic access_token along to jscode2session (WeChat ignores it, so does the
sandbox).
"""

import hashlib
import json
import os
import subprocess
import sys

import requests
from wechatpy import WeChatClient
from wechatpy.crypto import WeChatWxaCrypto
from wechatpy.exceptions import WeChatClientException


def main():
    with open(os.environ["SANDBOX_JSON"], encoding="utf-8") as f:
        manifest = json.load(f)
    binary = os.environ["AUTHWALK_BIN"]
    base = manifest["wechat"]["api_base"].rstrip("/")
    apps = manifest["wechat"]["apps"]
    mini = next(a for a in apps if a["kind"] == "mini_program" and a.get("open_platform"))
    unbound = next(a for a in apps if a["kind"] == "mini_program" and not a.get("open_platform"))
    oa = next(a for a in apps if a["kind"] == "official_account")
    assert oa.get("open_platform") == mini["open_platform"], apps

    def control(path, body):
        resp = requests.post(
            f"{manifest['control']}/{path}",
            json=body,
            headers={"X-Authwalk-Sandbox-Token": manifest["token"]},
            timeout=10,
        )
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
        return resp.json()

    class SandboxClient(WeChatClient):
        API_BASE_URL = base + "/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=base + "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    def client_for(app):
        client = SandboxClient(app["appid"], app["secret"])
        client.wxa.API_BASE_URL = base + "/"
        return client

    def authwalk_decrypt(session_key, iv, data, appid):
        env = dict(os.environ, AW_SESSION_KEY=session_key)
        out = subprocess.run(
            [binary, "decrypt", "--session-key", "env:AW_SESSION_KEY", "--iv", iv, "--appid", appid, "--json", "-"],
            input=data.encode(),
            env=env,
            capture_output=True,
            check=False,
        )
        assert out.returncode in (0, 1), out.stderr.decode()
        return out.returncode, json.loads(out.stdout)

    client = client_for(mini)
    who = {"appid": mini["appid"], "user": "wechat-unionid"}
    code = control("wechat/js-code", who)["code"]
    data = control("wechat/user-data", who)
    session = client.wxa.code_to_session(code)
    assert session["unionid"] and session["session_key"], session

    # The button's rawData is signed with sha1(rawData + session_key).
    expected = hashlib.sha1((data["rawData"] + session["session_key"]).encode()).hexdigest()
    assert data["signature"] == expected, (data["signature"], expected)

    profile = WeChatWxaCrypto(session["session_key"], data["iv"], mini["appid"]).decrypt_message(data["encryptedData"])
    assert profile["openId"] == session["openid"] and profile["unionId"] == session["unionid"], profile
    assert profile["watermark"]["appid"] == mini["appid"], profile
    rc, ours = authwalk_decrypt(session["session_key"], data["iv"], data["encryptedData"], mini["appid"])
    assert rc == 0 and ours["plaintext"] == profile, (ours, profile)
    print(f"  jscode2session + decrypt: {profile['nickName']} ({profile['openId']}), authwalk decrypts the same")

    # wx.login after the button: the session_key rotated, the data stays under the old one.
    later = client.wxa.code_to_session(control("wechat/js-code", who)["code"])
    assert later["session_key"] != session["session_key"]
    try:
        WeChatWxaCrypto(later["session_key"], data["iv"], mini["appid"]).decrypt_message(data["encryptedData"])
    except Exception as e:  # wechatpy raises whatever its padding or JSON step hits
        print(f"  wechatpy fails with the newer key ({type(e).__name__})")
    else:
        sys.exit("wechatpy decrypted data under a key that rotated")
    rc, ours = authwalk_decrypt(later["session_key"], data["iv"], data["encryptedData"], mini["appid"])
    assert rc == 1 and ours["cause"] == "stale-key", ours
    print("  authwalk names it: stale-key (wx.login ran after the button)")

    # A code works once.
    try:
        client.wxa.code_to_session(code)
    except WeChatClientException as e:
        assert e.errcode == 40163, e
        print("  reused wx.login code rejected with 40163")
    else:
        sys.exit("a reused wx.login code was accepted")

    # The phone number, with wechatpy's basic token.
    phone_code = control("wechat/phone-code", who)["code"]
    phone = client.wxa._post("wxa/business/getuserphonenumber", data={"code": phone_code})
    info = phone["phone_info"]
    assert info["purePhoneNumber"] and info["countryCode"] == "86", phone
    assert info["watermark"]["appid"] == mini["appid"], phone
    try:
        client.wxa._post("wxa/business/getuserphonenumber", data={"code": phone_code})
    except WeChatClientException as e:
        assert e.errcode in (40029, 40163), e
        print(f"  phone number {info['purePhoneNumber']}; the code a second time: {e.errcode}")
    else:
        sys.exit("a phone code worked twice")

    # UnionID: the unbound mini program gets none; the Official Account sees the same one.
    other = client_for(unbound).wxa.code_to_session(
        control("wechat/js-code", {"appid": unbound["appid"], "user": "wechat-unionid"})["code"]
    )
    assert "unionid" not in other and other["openid"] != session["openid"], other
    print("  unbound mini program: no unionid, another openid")


if __name__ == "__main__":
    main()
