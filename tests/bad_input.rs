//! Hostile inputs from `tests/bad_input/`, each run through the real binary: the documented exit
//! code, a key phrase naming the cause (and, for errors, the fix), no panic, and no raw control
//! character in anything printed.
//!
//! The table below is the corpus's index: every file under `tests/bad_input/` is named by at
//! least one case, and every case names a file that exists. Inputs too big to commit (a 2 MB key
//! file, a URL with 100,000 parameters) are made by the tests below; endless ones (`/dev/zero`
//! as a key, lint or config file, an endless standard input) are in `tests/bounds.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

/// One run: the corpus file (relative to `tests/bad_input/`), the arguments (`{}` is the file,
/// `{alipay_key}` the published test vectors' Alipay public key, `{response}` a genuine signed
/// response), the exit code and a phrase the output must hold.
struct Case {
    file: &'static str,
    args: &'static [&'static str],
    code: i32,
    phrase: &'static str,
}

const fn case(
    file: &'static str,
    args: &'static [&'static str],
    code: i32,
    phrase: &'static str,
) -> Case {
    Case {
        file,
        args,
        code,
        phrase,
    }
}

const INSPECT: &[&str] = &["keys", "inspect", "{}"];
const AS_APP_KEY: &[&str] = &["keys", "inspect", "--app-private-key", "{}"];
const AS_ALIPAY_KEY: &[&str] = &["keys", "inspect", "--alipay-public-key", "{}"];
const VERIFY_WITH: &[&str] = &["verify", "--alipay-public-key", "{}", "{response}"];
const VERIFY: &[&str] = &["verify", "--alipay-public-key", "{alipay_key}", "{}"];
const VERIFY_GBK: &[&str] = &[
    "verify",
    "--alipay-public-key",
    "{alipay_key}",
    "--charset",
    "GBK",
    "{}",
];
const VERIFY_JSON: &[&str] = &[
    "verify",
    "--json",
    "--alipay-public-key",
    "{alipay_key}",
    "{}",
];
const EXPLAIN: &[&str] = &["explain", "{}"];
const EXPLAIN_JSON: &[&str] = &["explain", "--json", "{}"];
const EXPLAIN_FAIL: &[&str] = &["explain", "--fail-on-error", "{}"];
const LINT: &[&str] = &["lint", "--file", "{}"];
const TRIAGE: &[&str] = &["triage", "{}"];
const REPLAY: &[&str] = &["replay", "{}"];
const TRIAGE_JSON: &[&str] = &["triage", "--json", "{}"];
const TRIAGE_KEY: &[&str] = &["triage", "--alipay-public-key", "{alipay_key}", "{}"];
const LINT_JSON: &[&str] = &["lint", "--json", "--file", "{}"];

const NOT_RSA: &str = "not an RSA key; Alipay signs with RSA";
const NOT_BASE64: &str = "paste the key exactly as the key tool or console shows it";
const CUT_OFF: &str = "so the key was cut off when copied";
const FAR_TOO_SMALL: &str = "far too small to sign with (Alipay uses 2048); generate a new pair";
const TOO_LARGE: &str = "larger than 4096 bits, which is not supported";
const ENCRYPTED: &str = "encrypted with a passphrase; decrypt it first";
const EMPTY_KEY: &str = "no key found: the input is empty";
const NOT_ALIPAY_KEY: &str = "cannot be used as the Alipay public key";
const NO_NODE: &str = "the body has no '…_response' node; nothing to verify";
const NOT_JSON: &str = "the body is not valid JSON";
const HTML: &str = "a proxy, load balancer or wrong URL answered instead of the gateway";
const MISMATCH: &str = "either this is not the Alipay public key of this app and environment";
const EMPTY_BODY: &str = "is empty: paste the raw response body";
const HAR: &str = "this is a HAR file";
const CALLBACK: &str = "not the callback or an API URL";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Keys.
    case("keys/bom_only.pem", INSPECT, 1, EMPTY_KEY),
    case("keys/crlf_pkcs8.pem", INSPECT, 0, "PKCS#8 PEM"),
    case("keys/crlf_pkcs8.pem", AS_ALIPAY_KEY, 1, "the Alipay public key (支付宝公钥) is expected here; never hand out a private key"),
    case("keys/crlf_pkcs8.pem", VERIFY_WITH, 2, "the Alipay public key (支付宝公钥) is expected here"),
    case("keys/dsa_private.pem", INSPECT, 1, "this is a DSA private key, not an RSA key"),
    case("keys/ec_p256_private.pem", AS_APP_KEY, 1, "this is an EC (ECDSA) private key, not an RSA key"),
    case("keys/ec_p256_public.pem", VERIFY_WITH, 2, NOT_ALIPAY_KEY),
    case("keys/ec_p256_public.pem", INSPECT, 1, NOT_RSA),
    case("keys/ed25519_private.pem", INSPECT, 1, "this is an Ed25519 private key"),
    case("keys/empty.pem", INSPECT, 1, EMPTY_KEY),
    case("keys/encrypted_pkcs1_proc_type.pem", INSPECT, 1, ENCRYPTED),
    case("keys/encrypted_pkcs8.pem", AS_APP_KEY, 1, ENCRYPTED),
    case("keys/garbage.bin", INSPECT, 1, "neither text nor a DER key"),
    case("keys/hex_public.txt", INSPECT, 1, "this does not start like a key at all (keys start with 'MII')"),
    case("keys/json_escaped_pkcs8.txt", INSPECT, 0, "PKCS#8 PEM"),
    case("keys/json_string_pkcs8.json", INSPECT, 0, "RSA private key"),
    case("keys/label_certificate_holds_key.pem", INSPECT, 0, "the PEM label says 'CERTIFICATE' but the content is a PKCS#8 private key"),
    case("keys/label_mismatched_end.pem", INSPECT, 1, "has no matching '-----END PRIVATE KEY-----' line; copy the whole key"),
    case("keys/label_only.pem", INSPECT, 1, EMPTY_KEY),
    case("keys/label_pkcs1_holds_pkcs8.pem", INSPECT, 0, "tools that trust the label will reject it"),
    case("keys/label_private_holds_public.pem", AS_APP_KEY, 1, "this is a public key, a private key is expected here"),
    case("keys/oneline_invalid_chars.txt", INSPECT, 1, "this is not base64 (character 101 is '*')"),
    case("keys/oneline_urlsafe_base64.txt", INSPECT, 1, NOT_BASE64),
    case("keys/oneline_with_spaces.txt", AS_ALIPAY_KEY, 0, "one-line base64"),
    case("keys/openssh_header.pem", INSPECT, 1, "convert it with `ssh-keygen -p -m PEM`"),
    case("keys/pem_in_markdown_fence.md", INSPECT, 0, "text before the PEM block was ignored"),
    case("keys/pgp_public_block.asc", INSPECT, 1, "this is a PGP key, not an RSA key"),
    case("keys/placeholder_angle.txt", INSPECT, 1, "this is not base64 (character 1 is '<')"),
    case("keys/public_spki.der", AS_ALIPAY_KEY, 0, "binary DER"),
    case("keys/public_trailing_garbage.pem", INSPECT, 0, "X.509 SubjectPublicKeyInfo PEM"),
    case("keys/quoted_oneline.txt", INSPECT, 0, "PKCS#8 one-line base64"),
    case("keys/root_cert_as_key.crt", INSPECT, 0, "2 further PEM block(s) after the first were ignored"),
    case("keys/rsa1024_private_pkcs1.pem", AS_APP_KEY, 1, "1024-bit key: Alipay requires 2048 for RSA2"),
    case("keys/rsa512_private_pkcs1.pem", INSPECT, 1, FAR_TOO_SMALL),
    case("keys/rsa512_public.pem", VERIFY_WITH, 2, FAR_TOO_SMALL),
    case("keys/rsa8192_private_pkcs8.pem", INSPECT, 1, TOO_LARGE),
    case("keys/rsa8192_public.pem", INSPECT, 1, TOO_LARGE),
    case("keys/rsa_pss_private.pem", INSPECT, 1, "this is an RSA-PSS (PSS-only, unusable for RSA2's PKCS#1 v1.5) private key"),
    case("keys/rsa_pss_public.pem", VERIFY_WITH, 2, "RSA-PSS"),
    case("keys/single_quoted_public.txt", AS_ALIPAY_KEY, 0, "X.509 SubjectPublicKeyInfo one-line base64"),
    case("keys/ssh_rsa_public.pub", INSPECT, 1, "this is an OpenSSH public key line ('ssh-rsa …')"),
    case("keys/truncated_body.pem", INSPECT, 1, CUT_OFF),
    case("keys/truncated_no_end.pem", INSPECT, 1, "has no matching '-----END PRIVATE KEY-----' line"),
    case("keys/truncated_oneline.txt", AS_APP_KEY, 1, CUT_OFF),
    case("keys/two_private_keys.pem", INSPECT, 0, "1 further PEM block(s) after the first were ignored"),
    case("keys/utf16le_bom_public.pem", INSPECT, 1, "it is UTF-16 text (what Notepad saves as \"Unicode\"); save it again as UTF-8"),
    case("keys/utf8_bom_public.pem", AS_ALIPAY_KEY, 0, "X.509 SubjectPublicKeyInfo PEM"),
    case("keys/whitespace_only.pem", INSPECT, 1, EMPTY_KEY),
    // Responses, through `verify`.
    case("responses/alipay_escape_nickname_signed.json", VERIFY, 0, "RSA2 signature verifies over the alipay_user_info_share_response node as transmitted"),
    case("responses/alipay_escape_nickname_signed.json", VERIFY_JSON, 0, "\"outcome\": \"verified\""),
    case("responses/alipay_gbk_signed.json", VERIFY_GBK, 0, "RSA2 signature verifies"),
    case("responses/alipay_raw_escape_nickname_signed.json", VERIFY, 1, "control character"),
    case("responses/binary_garbage.bin", VERIFY, 1, "the bytes are not valid UTF-8"),
    case("responses/bom_only.txt", VERIFY, 2, EMPTY_BODY),
    case("responses/curl_verbose_paste.txt", VERIFY, 1, NOT_JSON),
    case("responses/deep_nesting.json", VERIFY, 1, "recursion limit exceeded"),
    case("responses/duplicate_sign_keys.json", VERIFY, 1, "it is not a real signature (a placeholder, or a cut copy)"),
    case("responses/duplicated_node.json", VERIFY, 1, "'alipay_user_info_share_response' appears twice; the SDKs reject such a response as possibly forged"),
    case("responses/empty.txt", VERIFY, 2, EMPTY_BODY),
    case("responses/error_response_unsigned.json", VERIFY, 1, "gateway-level errors are often unsigned"),
    case("responses/escaped_slash_fallback.json", VERIFY, 0, "the signature verifies only after replacing \\/ with /"),
    case("responses/html_502_bad_gateway.html", VERIFY, 1, HTML),
    case("responses/html_wechat_open_in_client.html", VERIFY, 1, "the body is HTML, not JSON"),
    case("responses/http_response_with_headers.txt", VERIFY, 1, NOT_JSON),
    case("responses/json_array.json", VERIFY, 1, NO_NODE),
    case("responses/json_null.json", VERIFY, 1, NO_NODE),
    case("responses/json_string.json", VERIFY, 1, "object never closes: the body was cut off"),
    case("responses/jsonp_wrapped.js", VERIFY, 1, NOT_JSON),
    case("responses/node_is_number.json", VERIFY, 1, "is neither an object nor a string"),
    case("responses/nul_bytes.json", VERIFY, 1, NOT_JSON),
    case("responses/pretty_printed.json", VERIFY, 1, "the signature verifies once the whitespace between the JSON tokens is removed"),
    case("responses/sign_empty.json", VERIFY, 1, "the response carries no sign although it is not an error"),
    case("responses/sign_missing.json", VERIFY, 1, "do not trust its data"),
    case("responses/sign_placeholder_xxx.json", VERIFY, 1, "it is not a real signature (a placeholder, or a cut copy)"),
    case("responses/sign_short_base64.json", VERIFY, 1, "the sign value decodes to 3 bytes"),
    case("responses/signed_with_rsa1_sha1.json", VERIFY, 1, "the response is signed with RSA (SHA1withRSA), not RSA2: set sign_type=RSA"),
    case("responses/tampered_user_id.json", VERIFY, 1, MISMATCH),
    case("responses/truncated_mid_json.json", VERIFY, 1, "the body is cut off"),
    case("responses/truncated_mid_utf8.json", VERIFY, 1, "not valid UTF-8"),
    case("responses/valid_user_info_share.json", VERIFY, 0, "verifies over the alipay_user_info_share_response node"),
    case("responses/wechat_40163_code_been_used.json", VERIFY, 1, NO_NODE),
    case("responses/wechat_utf16le.json", VERIFY, 1, "not valid UTF-8"),
    case("responses/whitespace_only.txt", VERIFY, 2, EMPTY_BODY),
    case("responses/xml_pay_notify.xml", VERIFY, 1, "not JSON"),
    // Responses, through `explain`: the terminal escapes in nicknames are shown escaped.
    case("responses/alipay_escape_nickname_signed.json", EXPLAIN, 0, "nick_name = \"\\x1b]0;pwned\\x07\\x1b[2J"),
    case("responses/alipay_raw_escape_nickname_signed.json", EXPLAIN, 0, "raw control character(s) escaped before parsing"),
    case("responses/alipay_raw_escape_nickname_signed.json", EXPLAIN_JSON, 0, "\"control_chars_escaped\": 3"),
    case("responses/wechat_escape_nickname_raw.json", EXPLAIN, 0, "\\x1b]52;c;cm0gLXJmIH4=\\x07\\u{9b}1m"),
    case("responses/wechat_escape_nickname_raw.json", EXPLAIN_JSON, 0, "\"control_chars_escaped\": 5"),
    case("responses/wechat_escape_nickname_escaped.json", EXPLAIN, 0, "\\x1b[2J"),
    case("responses/wechat_escape_nickname_escaped.json", EXPLAIN_JSON, 0, "\\u001b"),
    case("responses/wechat_raw_control_nickname.json", EXPLAIN, 0, "2 raw control character(s) escaped before parsing"),
    case("responses/wechat_raw_newline_in_string.json", EXPLAIN, 0, "raw control character(s) escaped before parsing"),
    case("responses/wechat_40163_code_been_used.json", EXPLAIN_FAIL, 1, "40163"),
    case("responses/wechat_errcode_as_string.json", EXPLAIN, 0, "40029"),
    case("responses/wechat_trailing_comma.json", EXPLAIN, 2, "trailing comma"),
    case("responses/wechat_utf16le.json", EXPLAIN, 2, NOT_JSON),
    case("responses/error_response_unsigned.json", EXPLAIN_FAIL, 1, "Result: error"),
    case("responses/duplicated_node.json", EXPLAIN, 0, "Provider: Alipay"),
    case("responses/html_502_bad_gateway.html", EXPLAIN, 2, "this is an HTML page, not a JSON API response"),
    case("responses/html_wechat_open_in_client.html", EXPLAIN, 2, "请在微信客户端打开链接"),
    case("responses/json_array.json", EXPLAIN, 2, "the body is JSON but not an object"),
    case("responses/unknown_provider_object.json", EXPLAIN, 2, "cannot tell which provider sent this response (top-level keys: status, data): pass the request URL with --url"),
    case("responses/deep_nesting.json", EXPLAIN, 2, "recursion limit exceeded"),
    case("responses/binary_garbage.bin", EXPLAIN, 2, NOT_JSON),
    case("responses/empty.txt", EXPLAIN, 2, "the input is empty"),
    // HAR files: a browser's network log where one response body belongs.
    case("har/alipay_user_info.har", EXPLAIN, 2, "this is a HAR file (a browser's network log, 1 request(s)), not one response body"),
    case("har/base64_content.har", EXPLAIN, 2, HAR),
    case("har/empty_entries.har", EXPLAIN, 2, "0 request(s)"),
    case("har/escape_sequence_content.har", EXPLAIN_JSON, 2, HAR),
    case("har/html_502_entry.har", EXPLAIN, 2, HAR),
    case("har/not_json.har", EXPLAIN, 2, NOT_JSON),
    case("har/truncated.har", EXPLAIN, 2, "EOF while parsing"),
    // HAR files, through `triage`, which reads them.
    case("har/alipay_user_info.har", TRIAGE_KEY, 0, "signature: verified — RSA2 signature verifies"),
    case("har/base64_content.har", TRIAGE, 1, "error[wechat.40001]"),
    case("har/empty_entries.har", TRIAGE, 2, "no Alipay or WeChat login request in the capture (0 other requests): record again with \"Preserve log\""),
    case("har/escape_sequence_content.har", TRIAGE, 0, "/sns/userinfo"),
    case("har/html_502_entry.har", TRIAGE_KEY, 1, "The response cannot be read: this is an HTML page"),
    case("har/not_json.har", TRIAGE, 2, "export the capture as HAR from the browser's Network tab"),
    case("har/raw_escape_in_content.har", TRIAGE, 0, "\\x1b]0;pwned\\x07\\x1b[2J"),
    case("har/raw_escape_in_content.har", TRIAGE_JSON, 0, "\\u001b]0;pwned"),
    case("har/truncated.har", TRIAGE, 2, "the file is JSON but not a HAR"),
    // Saved walks, through `replay` (not on a terminal, it prints the walk).
    case("replay/truncated_transcript.json", REPLAY, 2, "the file starts as JSON but does not parse (EOF while parsing"),
    case("replay/unknown_step.json", REPLAY, 2, "unknown id 'teleport'. Was it edited by hand?"),
    case("replay/no_flow.json", REPLAY, 2, "missing field `flow`"),
    case("replay/future_schema.json", REPLAY, 2, "schema 'authwalk.transcript/9', which this authwalk cannot replay"),
    case("replay/exchange_out_of_range.json", REPLAY, 0, "✓ succeeded"),
    case("replay/escape_in_nickname.json", REPLAY, 0, "\\x1b]0;pwned\\x07\\x1b[2J"),
    case("replay/no_steps.json", REPLAY, 2, "its steps () are not those of alipay-web (authorize, callback, token, user-info)"),
    case("replay/duplicate_step.json", REPLAY, 2, "its steps (authorize, callback, callback, token, user-info) are not those of alipay-web"),
    case("replay/foreign_exchange_step.json", REPLAY, 2, "an exchange of step 'check-token', which alipay-web does not have"),
    case("replay/endless_token.json", REPLAY, 2, "9223372036854775807 is not a time (Unix seconds)"),
    case("replay/not_marked_redacted.json", REPLAY, 0, "access_token   REAL…"),
    case("replay/flipped_redacted_flag.json", REPLAY, 0, "secret=b26b…"),
    case("replay/no_schema.json", REPLAY, 2, "the file is JSON but no walk authwalk wrote (no \"schema\") and no HAR"),
    case("har/empty_entries.har", REPLAY, 2, "the capture holds no request of an Alipay or WeChat login"),
    case("har/not_json.har", REPLAY, 2, "export the capture as HAR from the browser's Network tab"),
    case("har/truncated.har", REPLAY, 2, "the file starts as JSON but does not parse"),
    case("har/base64_content.har", REPLAY, 1, "wechat.40001"),
    // Authorize URLs, through `lint`.
    case("urls/alipay_broken_percent.txt", LINT, 1, "A '%' escape in the query is broken"),
    case("urls/alipay_missing_app_id.txt", LINT, 1, "'app_id' is missing"),
    case("urls/alipay_redirect_double_encoded.txt", LINT, 1, "redirect_uri is encoded twice"),
    case("urls/alipay_redirect_javascript.txt", LINT, 1, "redirect_uri is not an absolute http(s) URL"),
    case("urls/alipay_redirect_not_encoded.txt", LINT, 1, "redirect_uri is not percent-encoded"),
    case("urls/alipay_redirect_raw_spaces.txt", LINT, 1, "redirect_uri contains a space"),
    case("urls/alipay_state_escape_sequence.txt", LINT, 1, "state contains non-ASCII characters"),
    case("urls/alipay_state_escape_sequence.txt", LINT_JSON, 1, "lint.alipay.state-non-ascii"),
    case("urls/alipay_two_scopes_params.txt", LINT, 1, "'scope' appears more than once"),
    case("urls/data_url.txt", LINT, 1, "This is not an absolute URL"),
    case("urls/empty.txt", LINT, 1, "This is not an absolute URL"),
    case("urls/ftp_scheme.txt", LINT, 1, "'redirect_uri' is missing"),
    case("urls/not_a_url.txt", LINT, 1, "Paste the whole authorize URL, starting with https://"),
    case("urls/split_across_lines.txt", LINT, 1, "ap\\np_id"),
    case("urls/unknown_host.txt", LINT, 1, "Not a known authorize URL"),
    case("urls/wechat_http_scheme.txt", LINT, 0, "The authorize URL uses http"),
    case("urls/wechat_lookalike_host.txt", LINT, 0, "Not WeChat's authorize host"),
    case("urls/wechat_missing_fragment.txt", LINT, 1, "#wechat_redirect is missing"),
    case("urls/wechat_redirect_double_encoded.txt", LINT, 1, "redirect_uri is encoded twice"),
    case("urls/wechat_redirect_javascript.txt", LINT, 1, "redirect_uri is not an absolute http(s) URL"),
    case("urls/wechat_redirect_raw_spaces.txt", LINT, 1, "redirect_uri contains a space"),
    case("urls/wechat_scope_typo.txt", LINT, 1, "Unknown scope 'snsapi_userInfo'"),
    case("urls/wechat_state_escape_sequence.txt", LINT, 0, "state has characters other than A-Z a-z 0-9"),
    case("urls/wechat_state_escape_sequence.txt", LINT_JSON, 0, "lint.wechat.state-charset"),
    case("urls/wechat_state_too_long.txt", LINT, 1, "state is longer than 128 bytes"),
    case("urls/wechat_userinfo_in_authority.txt", LINT, 1, "The URL has a user name or password before the host"),
    case("urls/wechat_wrong_order.txt", LINT, 1, "Parameters are not in the documented order"),
    // Where the browser landed, pasted where the authorize URL belongs.
    case("urls/callback_alipay_error_param.txt", LINT, 1, CALLBACK),
    case("urls/callback_alipay_forged_state.txt", LINT, 1, CALLBACK),
    case("urls/callback_alipay_missing_code.txt", LINT, 1, CALLBACK),
    case("urls/callback_alipay_two_codes.txt", LINT, 1, CALLBACK),
    case("urls/callback_wechat_forged_state.txt", LINT, 1, CALLBACK),
    case("urls/callback_wechat_missing_code.txt", LINT, 1, CALLBACK),
    case("urls/callback_wechat_two_codes.txt", LINT, 1, CALLBACK),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn authwalk() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("authwalk").expect("binary builds");
    cmd.env("AUTHWALK_LANG", "en").env("NO_COLOR", "1");
    cmd
}

fn args_for(case: &Case) -> Vec<String> {
    let file = root().join("bad_input").join(case.file);
    let vectors = root().join("vectors/alipay");
    case.args
        .iter()
        .map(|a| match *a {
            "{}" => file.display().to_string(),
            "{alipay_key}" => vectors
                .join("fake_alipay_public_key.pem")
                .display()
                .to_string(),
            "{response}" => vectors
                .join("v1_resp_user_info_share_ok.body.json")
                .display()
                .to_string(),
            other => other.to_owned(),
        })
        .collect()
}

/// What a run printed, and every way it broke a rule; empty when it kept them all.
fn check(label: &str, out: &Output, code: i32, phrase: &str) -> Vec<String> {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut broken = Vec::new();
    if out.status.code() != Some(code) {
        broken.push(format!("exit {:?}, expected {code}", out.status.code()));
    }
    if !text.contains(phrase) {
        broken.push(format!("no {phrase:?} in the output"));
    }
    if text.contains("panicked at") || text.contains("RUST_BACKTRACE") {
        broken.push("it panicked".to_owned());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        broken.push(format!("a raw control character {c:?} was printed"));
    }
    if broken.is_empty() {
        broken
    } else {
        vec![format!(
            "{label}: {}\n--- output ---\n{text}",
            broken.join("; ")
        )]
    }
}

#[test]
fn every_bad_input_fails_as_documented() {
    let mut failures = Vec::new();
    for case in CASES {
        let out = authwalk().args(args_for(case)).output().expect("runs");
        failures.extend(check(
            &format!("{} {:?}", case.file, case.args),
            &out,
            case.code,
            case.phrase,
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every file of the corpus is run by some case, so none sits there untested, and there are
/// enough of them.
#[test]
fn the_table_covers_the_whole_corpus() {
    let dir = root().join("bad_input");
    let mut files = Vec::new();
    for group in std::fs::read_dir(&dir).expect("tests/bad_input") {
        let group = group.expect("entry").path();
        if !group.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&group).expect("group") {
            let path = file.expect("entry").path();
            let rel = path.strip_prefix(&dir).expect("inside").to_string_lossy();
            files.push(rel.replace('\\', "/"));
        }
    }
    let named: std::collections::BTreeSet<&str> = CASES
        .iter()
        .map(|c| c.file)
        .chain(CONFIG_CASES.iter().map(|c| c.file))
        .collect();
    let unnamed: Vec<_> = files
        .iter()
        .filter(|f| !named.contains(f.as_str()))
        .collect();
    assert!(unnamed.is_empty(), "files no case runs: {unnamed:?}");
    for name in &named {
        assert!(
            dir.join(name).is_file(),
            "{name} is in the table but not on disk"
        );
    }
    assert!(files.len() >= 80, "only {} hostile inputs", files.len());
}

/// A config file: copied as `config.toml` into a fresh folder with `mode`, beside copies of the
/// test vectors' keys (`app_private_key.pem`, `alipay_public_key.pem`), then `run FLOW --profile
/// NAME` is run there. Each fails while loading, before any request is sent.
struct ConfigCase {
    file: &'static str,
    flow: &'static str,
    profile: &'static str,
    mode: u32,
    code: i32,
    phrase: &'static str,
    /// Text that must not be printed (an inline secret).
    secret: Option<&'static str>,
}

const fn config(
    file: &'static str,
    flow: &'static str,
    profile: &'static str,
    mode: u32,
    phrase: &'static str,
) -> ConfigCase {
    ConfigCase {
        file,
        flow,
        profile,
        mode,
        code: 2,
        phrase,
        secret: None,
    }
}

const NOT_VALID: &str = "is not a valid config";

/// A transcript that does not say it is redacted is masked on screen: the real token it holds
/// is never printed whole.
#[test]
fn a_transcript_not_marked_redacted_is_masked() {
    let out = authwalk()
        .args(["replay"])
        .arg(root().join("bad_input/replay/not_marked_redacted.json"))
        .output()
        .expect("runs");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("REAL…"), "{printed}");
    assert!(!printed.contains("REALSECRETTOKEN0123456789"), "{printed}");
}

/// An unredacted transcript whose `"redacted"` was flipped to `true` (and whose first response
/// echoes the request URL in a `Location`): masking follows the content, not the flag. Neither
/// the printed replay nor the walk the inspector shows (presenter mode included, which never
/// reveals) holds the appsecret, the code or a token; only an explicit reveal does.
#[test]
fn a_transcript_falsely_marked_redacted_is_masked_all_the_same() {
    use authwalk::present::Policy;
    use authwalk::replay::Recording;
    const LIVE: [&str; 4] = [
        "b26be60399ed611c4ad77a544308acac",
        "04LDXwma13Bzex0LNChpEfG7D1FZwosR",
        "86_DETZtYpgzrhS1VTK5hSNalIMHEDpYS2p7SjnCwXl8Tg3akNZdrVjv5WUWHN8PcldKkvF8xbQC8EiXKOX",
        "86_puMXw9jGsmjk8KjCLJuBStR4MnabyW4EMQ0vrrsEcDosA7TcBdhIYjRmcDyi0GbuQuyU8FWHDmqhKDdM",
    ];
    let file = root().join("bad_input/replay/flipped_redacted_flag.json");
    let out = authwalk().arg("replay").arg(&file).output().expect("runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let recording = Recording::read(&std::fs::read(&file).unwrap(), None).unwrap();
    let walk = authwalk::escape::json_pretty(&recording.walk(Policy::default())).unwrap();
    for text in [&printed, &walk] {
        for live in LIVE {
            assert!(!text.contains(live), "{live} shown:\n{text}");
        }
    }
    let revealed = recording.walk(Policy { reveal: true });
    let revealed = authwalk::escape::json_pretty(&revealed).unwrap();
    assert!(LIVE.iter().all(|live| revealed.contains(live)));
}

#[rustfmt::skip]
const CONFIG_CASES: &[ConfigCase] = &[
    config("config/unknown_top_level_key.toml", "alipay-web", "shop", 0o600, "unknown field `profile`, expected one of `profiles`"),
    config("config/unknown_profile_key.toml", "wechat-web", "mp", 0o600, "unknown field `appsecret_file`"),
    ConfigCase {
        secret: Some("0123456789abcdef0123456789abcdef"),
        ..config("config/inline_secret_0644.toml", "wechat-web", "mp", 0o644, "This secret will be ignored: run `chmod 600")
    },
    config("config/bad_environment.toml", "alipay-web", "shop", 0o600, "environment 'prod' is not production, sandbox, sandbox-legacy or a base URL"),
    // The TOML error must not echo the secret it could not parse.
    ConfigCase {
        secret: Some("9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        ..config("config/unquoted_secret.toml", "wechat-web", "mp", 0o600, "the value of 'secret' needs quotes, as every text does in TOML")
    },
    // An unquoted secret that is a number (too big for TOML's integers, or not): the type error
    // must not echo it either.
    ConfigCase {
        secret: Some("98765432109876543210"),
        ..config("config/unquoted_numeric_secret.toml", "wechat-web", "mp", 0o600, "the value of 'secret' needs quotes, as every text does in TOML")
    },
    ConfigCase {
        secret: Some("987654321098765432"),
        ..config("config/unquoted_small_numeric_secret.toml", "wechat-web", "mp", 0o600, "the value of 'secret' needs quotes, as every text does in TOML")
    },
    config("config/unknown_provider.toml", "wechat-web", "pay", 0o600, "unknown variant `paypal`, expected `alipay` or `wechat`"),
    config("config/missing_redirect_uri.toml", "wechat-web", "mp", 0o600, "missing field `redirect_uri`"),
    config("config/bad_sign_type.toml", "alipay-web", "shop", 0o600, "unknown sign_type 'RSA256': use RSA2 (SHA256withRSA) or RSA"),
    config("config/secret_env_unset.toml", "wechat-web", "mp", 0o600, "environment variable AUTHWALK_TEST_SECRET_THAT_IS_NOT_SET is not set"),
    config("config/missing_key_file.toml", "alipay-web", "shop", 0o600, "cannot read no_such_private_key.pem: No such file"),
    config("config/json_not_toml.toml", "wechat-web", "mp", 0o600, NOT_VALID),
    config("config/two_secret_sources.toml", "wechat-web", "mp", 0o600, "gives the appsecret more than once (secret_env and secret_file); keep one"),
];

#[cfg(unix)]
#[test]
fn every_bad_config_fails_while_loading() {
    use std::os::unix::fs::PermissionsExt as _;
    let vectors = root().join("vectors/alipay");
    let mut failures = Vec::new();
    for case in CONFIG_CASES {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config.toml");
        std::fs::copy(root().join("bad_input").join(case.file), &config).expect("copy");
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(case.mode))
            .expect("chmod");
        for (from, to) in [
            ("app_private_key_pkcs8.pem", "app_private_key.pem"),
            ("fake_alipay_public_key.pem", "alipay_public_key.pem"),
        ] {
            std::fs::copy(vectors.join(from), dir.path().join(to)).expect("copy a key");
        }
        let out = authwalk()
            .args(["run", case.flow, "--profile", case.profile])
            .current_dir(dir.path())
            .env("AUTHWALK_CONFIG_DIR", dir.path())
            .env("AUTHWALK_DATA_DIR", dir.path())
            .env_remove("AUTHWALK_TEST_SECRET_THAT_IS_NOT_SET")
            .env_remove("MP_SECRET")
            .write_stdin("")
            .output()
            .expect("runs");
        let label = format!("{} (mode {:o})", case.file, case.mode);
        failures.extend(check(&label, &out, case.code, case.phrase));
        if let Some(secret) = case.secret {
            let printed = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
            if String::from_utf8_lossy(&printed).contains(secret) {
                failures.push(format!("{label}: the inline secret was printed"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A key file far larger than any key is refused by its size, before parsing (a regular file;
/// `/dev/zero` is in tests/bounds.rs).
#[test]
fn a_huge_key_file_is_refused_by_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.pem");
    let line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7".repeat(40);
    let body = format!("-----BEGIN PRIVATE KEY-----\n{line}\n").repeat(1100);
    std::fs::write(&path, body).expect("write");
    let out = authwalk()
        .args(["keys", "inspect"])
        .arg(&path)
        .output()
        .expect("runs");
    let failures = check(
        "huge.pem",
        &out,
        2,
        "is larger than 1 MiB; is this the right file?",
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The callbacks of the corpus, through each provider's parser: a missing code is refused with
/// the reason, and the other hostile ones parse, leaving the state check to the flow (a
/// forged state is refused by `Flow::on_callback`, tested with the flow).
#[test]
fn hostile_callbacks_parse_or_fail_with_a_reason() {
    use authwalk::provider::{alipay, wechat};
    let read = |name: &str| {
        std::fs::read_to_string(root().join("bad_input/urls").join(name)).expect("corpus file")
    };
    let e = alipay::parse_callback(&read("callback_alipay_missing_code.txt")).unwrap_err();
    assert!(e.to_string().contains("auth_code"), "{e}");
    let e = alipay::parse_callback(&read("callback_alipay_error_param.txt")).unwrap_err();
    assert!(e.to_string().contains("auth_code"), "{e}");
    let e = wechat::parse_callback(&read("callback_wechat_missing_code.txt")).unwrap_err();
    assert!(e.to_string().contains("code"), "{e}");
    let cb = alipay::parse_callback(&read("callback_alipay_forged_state.txt")).expect("parses");
    assert_eq!(cb.state.as_deref(), Some("forged-by-attacker"));
    let cb = wechat::parse_callback(&read("callback_wechat_forged_state.txt")).expect("parses");
    assert_eq!(cb.state.as_deref(), Some("forged-by-attacker"));
    // Two codes: the provider appends its own after any query already in redirect_uri, so the
    // last one is the provider's (documented in both parsers); the state check still applies.
    let cb = alipay::parse_callback(&read("callback_alipay_two_codes.txt")).expect("parses");
    assert_eq!(
        cb.auth_code.as_deref(),
        Some("ffffffffffffffffffffffffffffffff")
    );
    let cb = wechat::parse_callback(&read("callback_wechat_two_codes.txt")).expect("parses");
    assert_eq!(cb.code, "071BBBBB");
}

/// An authorize URL with 100,000 parameters (unknown ones, then one repeated): the lint is
/// linear in its input, names what it found in one line each, and ends promptly.
#[test]
fn a_hundred_thousand_parameters_are_linted_promptly() {
    use std::fmt::Write as _;
    const BASE: &str = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?\
                        app_id=2021000000000001&scope=auth_user&\
                        redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=s";
    let dir = tempfile::tempdir().expect("temp dir");
    let mut unknown = String::new();
    for i in 0..100_000 {
        write!(unknown, "&p{i}={i}").expect("writing to a String");
    }
    let repeated = "&scope=auth_user".repeat(100_000);
    for (name, tail, code, phrase) in [
        ("unknown", unknown, 0, "and 99980 more. They are ignored."),
        ("repeated", repeated, 1, "'scope' appears more than once"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{BASE}{tail}")).expect("write");
        let started = std::time::Instant::now();
        let out = authwalk()
            .args(["lint", "--file"])
            .arg(&path)
            .output()
            .expect("runs");
        let failures = check(name, &out, code, phrase);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{name}: {:?}",
            started.elapsed()
        );
        assert!(
            out.stdout.len() < 4096,
            "{name}: {} bytes",
            out.stdout.len()
        );
    }
}

/// A transcript whose exchanges are repeated 3,000 times (too big to commit; made from one in
/// the corpus) is refused: a step is tried at most `MAX_ATTEMPTS_PER_STEP` times in one walk.
#[test]
fn a_transcript_with_thousands_of_repeated_exchanges_is_refused() {
    let file = root().join("bad_input/replay/not_marked_redacted.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let mut exchanges = doc["walk"]["exchanges"].as_array().unwrap().clone();
    // Kept small, so the file stays under the size limit and the count is what refuses it.
    for ex in &mut exchanges {
        for key in ["signing", "verification", "decoded", "response"] {
            ex[key] = serde_json::Value::Null;
        }
        ex["findings"] = serde_json::json!([]);
        ex["request"]["body"] = "".into();
    }
    let repeated: Vec<_> = (0..3000).flat_map(|_| exchanges.clone()).collect();
    doc["walk"]["exchanges"] = serde_json::Value::from(repeated);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repeated.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = authwalk().arg("replay").arg(&path).output().expect("runs");
    let max = authwalk::limits::MAX_ATTEMPTS_PER_STEP;
    let broken = check(
        "repeated exchanges",
        &out,
        2,
        &format!("and a step is tried at most {max} times in one walk"),
    );
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// A FIFO where a file is expected (a key, a capture, a transcript, a config file) is refused at
/// once with the reason, instead of waiting for a writer forever.
#[cfg(unix)]
#[test]
fn a_fifo_argument_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("input");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir(dir.path().join("cfg")).unwrap();
    let config = dir.path().join("cfg/config.toml");
    std::os::unix::fs::symlink(&fifo, &config).unwrap();
    let fifo_arg = fifo.display().to_string();
    let runs: [(&str, Vec<&str>); 4] = [
        ("keys", vec!["keys", "inspect", &fifo_arg]),
        ("replay", vec!["replay", &fifo_arg]),
        ("triage", vec!["triage", &fifo_arg]),
        ("config", vec!["run", "wechat-web", "--profile", "mp"]),
    ];
    for (what, args) in runs {
        let out = authwalk()
            .args(args)
            .env("AUTHWALK_CONFIG_DIR", dir.path().join("cfg"))
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("runs");
        let broken = check(what, &out, 2, "is a FIFO (named pipe), not a regular file");
        assert!(broken.is_empty(), "{}", broken.join("\n"));
    }
}
