//! The HTML the sandbox shows people: consent pages, provider-style error pages, the "you
//! cancelled" page and the callback landing page. Self-contained (inline CSS, no scripts, no
//! external assets), bilingual, and sized for a phone as well as a desktop browser.

use std::fmt::Write as _;

/// Which provider's look a page takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    Alipay,
    Wechat,
}

impl Look {
    fn accent(self) -> &'static str {
        match self {
            Self::Alipay => "#1677ff",
            Self::Wechat => "#07c160",
        }
    }

    fn brand(self) -> &'static str {
        match self {
            Self::Alipay => "支付宝 Alipay · 沙箱 sandbox",
            Self::Wechat => "微信 WeChat · 沙箱 sandbox",
        }
    }
}

/// Escape text for HTML content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shell(look: Look, title: &str, body: &str) -> String {
    let accent = look.accent();
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
*{{box-sizing:border-box}}
body{{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#1f2329}}
header{{background:{accent};color:#fff;padding:14px 20px;font-size:15px;font-weight:600}}
main{{max-width:480px;margin:0 auto;padding:20px 16px 40px}}
.card{{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}}
h1{{font-size:20px;margin:0 0 6px}}
.en{{color:#6b7280;font-size:13px}}
.app{{display:flex;align-items:center;gap:12px;margin-bottom:12px}}
.logo{{width:44px;height:44px;border-radius:10px;background:{accent};color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:20px}}
ul.scope{{padding-left:20px;margin:8px 0}}
label.user{{display:flex;align-items:flex-start;gap:10px;padding:12px;border:1px solid #e5e7eb;border-radius:10px;margin:8px 0;cursor:pointer}}
label.user input{{margin-top:3px}}
.uid{{color:#9ca3af;font-size:12px;font-family:ui-monospace,monospace}}
.buttons{{display:flex;gap:12px;margin-top:18px}}
button{{flex:1;font-size:16px;padding:12px;border-radius:10px;border:1px solid #d1d5db;background:#fff;cursor:pointer}}
button.approve{{background:{accent};border-color:{accent};color:#fff;font-weight:600}}
.code{{font-family:ui-monospace,monospace;background:#f3f4f6;padding:2px 6px;border-radius:4px;overflow-wrap:anywhere}}
.note{{font-size:12px;color:#6b7280;margin-top:14px;line-height:1.5}}
table{{width:100%;border-collapse:collapse;font-size:14px}}
td{{border-top:1px solid #e5e7eb;padding:8px 4px;vertical-align:top;word-break:break-all}}
td:first-child{{color:#6b7280;width:35%}}
</style>
</head>
<body>
<header>{brand}</header>
<main>
{body}
</main>
</body>
</html>
"#,
        brand = look.brand(),
        title = esc(title),
    )
}

/// What the consent page needs to know.
#[derive(Debug)]
pub(crate) struct Consent<'a> {
    pub look: Look,
    pub app_name: &'a str,
    pub app_id: &'a str,
    pub scope: &'a str,
    /// Silent scopes ask no consent, but the page still asks who is holding the phone.
    pub silent: bool,
    /// (id, label, account id shown small).
    pub users: Vec<(&'a str, &'a str, String)>,
    pub preselected: Option<&'a str>,
    /// Path and query to POST the decision to (the same URL the page was fetched from).
    pub action: String,
}

/// The consent page: pick a demo user, then approve or deny with one POST.
pub(crate) fn consent(c: &Consent<'_>) -> String {
    let (heading, heading_en, items) = match (c.look, c.silent) {
        (_, true) => (
            "静默授权：谁在使用手机？",
            "Silent authorization: no consent is asked, but who is holding the phone?",
            vec![("获取你的用户标识", "your user id for this app")],
        ),
        (Look::Alipay, false) => (
            "申请获取以下信息",
            "This app asks for",
            vec![
                (
                    "你的公开信息（昵称、头像）",
                    "your public profile (nickname, avatar)",
                ),
                (
                    "你的账户状态与认证信息",
                    "your account status and certification",
                ),
            ],
        ),
        (Look::Wechat, false) => (
            "申请获得以下权限",
            "This app asks for",
            vec![(
                "获得你的公开信息（昵称、头像等）",
                "your public profile (nickname, avatar)",
            )],
        ),
    };
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<div class="card"><div class="app"><div class="logo">{initial}</div><div><h1>{name}</h1><div class="en">app id <span class="code">{app_id}</span> · scope <span class="code">{scope}</span></div></div></div>
<p><b>{heading}</b><br><span class="en">{heading_en}</span></p><ul class="scope">"#,
        initial = esc(&c.app_name.chars().next().unwrap_or('A').to_string()),
        name = esc(c.app_name),
        app_id = esc(c.app_id),
        scope = esc(c.scope),
    );
    for (zh, en) in items {
        let _ = write!(body, r#"<li>{zh} <span class="en">{en}</span></li>"#);
    }
    let _ = write!(
        body,
        r#"</ul></div>
<form class="card" method="post" action="{action}">
<p><b>选择演示账户</b> <span class="en">Pick a demo account</span></p>"#,
        action = esc(&c.action)
    );
    for (i, (id, label, account)) in c.users.iter().enumerate() {
        let checked = match c.preselected {
            Some(p) => p == *id,
            None => i == 0,
        };
        let _ = write!(
            body,
            r#"<label class="user"><input type="radio" name="user" value="{id}"{checked}><span>{label}<br><span class="uid">{id} · {account}</span></span></label>"#,
            id = esc(id),
            label = esc(label),
            account = esc(account),
            checked = if checked { " checked" } else { "" },
        );
    }
    let approve = if c.silent {
        "继续 Continue"
    } else {
        "同意 Allow"
    };
    let _ = write!(
        body,
        r#"<div class="buttons"><button type="submit" name="decision" value="deny">拒绝 Deny</button><button class="approve" type="submit" name="decision" value="approve">{approve}</button></div>
<p class="note">沙箱模拟页面，不会连接真实的{provider}。脚本可用一次请求完成授权：<span class="code">POST</span> 本页地址，表单 <span class="code">user=&lt;id&gt;&amp;decision=approve</span>。<br>
Sandbox emulation; nothing reaches the real provider. Scripts approve with one request: POST this URL with the form body <span class="code">user=&lt;id&gt;&amp;decision=approve</span>.</p>
</form>"#,
        provider = match c.look {
            Look::Alipay => "支付宝",
            Look::Wechat => "微信",
        }
    );
    shell(c.look, "授权 Authorize", &body)
}

/// A provider-style error page (HTML, as the real authorize pages answer).
pub(crate) fn error(look: Look, code: Option<&str>, zh: &str, en: &str) -> String {
    let code_line = code.map_or_else(String::new, |code| {
        format!(
            r#"<p>错误码 <span class="en">error code</span>: <span class="code">{}</span></p>"#,
            esc(code)
        )
    });
    let body = format!(
        r#"<div class="card"><h1>{zh}</h1><p class="en">{en}</p>{code_line}</div>"#,
        zh = esc(zh),
        en = esc(en),
    );
    shell(look, "出错了 Error", &body)
}

/// Shown after "deny": the sandbox, like WeChat's observed behaviour, does not redirect.
pub(crate) fn denied(look: Look) -> String {
    let body = r#"<div class="card"><h1>你已取消授权</h1><p class="en">You declined. The app is not told: there is no redirect, as observed on WeChat (Alipay's behaviour is undocumented; the sandbox does the same).</p></div>"#;
    shell(look, "已取消 Cancelled", body)
}

/// The demo apps' callback: shows what the provider appended to `redirect_uri`.
pub(crate) fn callback(params: &[(String, String)]) -> String {
    let mut rows = String::new();
    for (k, v) in params {
        let _ = write!(
            rows,
            r#"<tr><td>{}</td><td class="code" id="{}">{}</td></tr>"#,
            esc(k),
            esc(k),
            esc(v)
        );
    }
    let body = format!(
        r#"<div class="card"><h1>回调已收到</h1><p class="en">Callback received. The app would now exchange the code for a token on its server.</p><table>{rows}</table></div>"#
    );
    shell(Look::Alipay, "回调 Callback", &body)
}
