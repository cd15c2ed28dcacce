//! Every `authwalk …` example of the README's ```sh blocks and of `authwalk run --help` is run,
//! so an example can't rot: each has an entry in [`EXAMPLES`] saying how it runs and what it
//! exits with, or why it is skipped. An example without an entry fails the test, and so does an
//! entry no longer found in the README or the help.
//!
//! Examples run in a fresh temporary folder holding the files they name (test keys and
//! responses from `tests/vectors` and `tests/fixtures`), with `--state-dir` added to `run` and
//! `sandbox` so the sandbox keys are made once. For `curl … | authwalk …`, a stored response
//! stands in for curl's output.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup should panic where it fails"
)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// How one example runs.
enum Plan {
    /// Run in a temporary folder holding `files` (name, source under the crate root), with
    /// `stdin` (a file under the crate root) standing in for what is piped in.
    Run {
        files: &'static [(&'static str, &'static str)],
        stdin: Option<&'static str>,
        code: i32,
        /// Files the example must create in its folder.
        writes: &'static [&'static str],
    },
    /// A server: start it, wait for its banner, stop it.
    Serve,
    /// Not run, for this reason.
    Skip(&'static str),
}

struct Example {
    command: &'static str,
    plan: Plan,
}

const PRIVATE_KEY: &str = "tests/vectors/alipay/app_private_key_pkcs8.pem";
const PRIVATE_KEY_ONE_LINE: &str = "tests/vectors/alipay/app_private_key_pkcs1_oneline.txt";
const APP_PUBLIC_KEY: &str = "tests/vectors/alipay/app_public_key.pem";
/// The vectors' responses are signed with this stand-in for Alipay's key.
const ALIPAY_PUBLIC_KEY: &str = "tests/vectors/alipay/fake_alipay_public_key.pem";
const USER_INFO_RESPONSE: &str = "tests/vectors/alipay/v1_resp_user_info_share_ok.body.json";
const WECHAT_USERINFO_RESPONSE: &str = "tests/fixtures/responses/wechat_sns_userinfo_ok.json";
/// A root bundle as the sandbox generates it: two RSA roots and an ECDSA one.
const ROOT_BUNDLE: &str = "tests/fixtures/certs/alipayRootCert.crt";
/// A redacted transcript of an alipay-web walk, as `run --export` wrote it.
const TRANSCRIPT: &str = "tests/fixtures/transcripts/alipay-web.json";

const NEEDS_RUNNING_SANDBOX: &str = "needs an `authwalk sandbox` already running and a code approved on it \
     (tests/running_sandbox.rs walks exactly this)";
const NEEDS_PROFILE: &str = "needs a real app's profile in the config file and the network";

const EXAMPLES: &[Example] = &[
    // Copy as SDK code.
    Example {
        command: "authwalk code alipay-web --list",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code alipay-web --step token --sdk alipay-java",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code wechat-web --all",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code alipay-mini --phone-number --step phone-number --all",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code wecom-web --all",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code alipay-web --from walk.json --sdk smartwalle",
        plan: Plan::Run {
            files: &[("walk.json", TRANSCRIPT)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk code alipay-web --program --sdk alipay-python > login.py",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    // Real apps and support tickets.
    Example {
        command: "authwalk profile add my-alipay",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    Example {
        command: "authwalk keys check --profile my-alipay --sdk java",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    Example {
        command: "authwalk run alipay-web --profile my-alipay --export ticket",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    Example {
        command: "authwalk profile list",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk triage capture.har --alipay-public-key alipay_public_key.pem",
        plan: Plan::Skip(
            "needs a capture of the reader's own login; tests/har_triage.rs triages recorded \
             sandbox walks and seed 002's mix-up",
        ),
    },
    Example {
        command: "authwalk replay walk.json",
        plan: Plan::Run {
            files: &[("walk.json", TRANSCRIPT)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk diff capture.har good.json",
        plan: Plan::Skip(
            "needs a capture of the reader's own login; tests/diff_cli.rs compares seed 002's \
             mix-up captured as a HAR with a good wechat-web walk",
        ),
    },
    Example {
        command: "authwalk replay walk.json --present --lang zh",
        plan: Plan::Run {
            files: &[("walk.json", TRANSCRIPT)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    // The inspector: without a terminal (as here) it prints the walk, so these run headless.
    Example {
        command: "authwalk --flow wechat-web",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk --flow alipay-web --app 2021000000000004",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk --flow alipay-web --present",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk --lan --flow alipay-web",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk --flow alipay-web --profile my-alipay",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    Example {
        command: "authwalk --flow alipay-web --sandbox /path/to/sandbox.json",
        plan: Plan::Skip(NEEDS_RUNNING_SANDBOX),
    },
    // Sign gateway parameters.
    Example {
        command: "authwalk sign --private-key app_private_key.pem \
                  app_id=2021000000000001 method=alipay.system.oauth.token format=JSON \
                  charset=utf-8 timestamp='2024-05-20 12:34:56' version=1.0 \
                  grant_type=authorization_code code=4e0f6c1a…",
        plan: Plan::Run {
            files: &[("app_private_key.pem", PRIVATE_KEY)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    // Verify a gateway response.
    Example {
        command: "authwalk verify --alipay-public-key alipay_public_key.pem response.json",
        plan: Plan::Run {
            files: &[
                ("alipay_public_key.pem", ALIPAY_PUBLIC_KEY),
                ("response.json", USER_INFO_RESPONSE),
            ],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "curl … | authwalk verify --alipay-public-key alipay_public_key.pem \
                  --method alipay.user.info.share -",
        plan: Plan::Run {
            files: &[("alipay_public_key.pem", ALIPAY_PUBLIC_KEY)],
            stdin: Some(USER_INFO_RESPONSE),
            code: 0,
            writes: &[],
        },
    },
    // Keys.
    Example {
        command: "authwalk keys gen --out keys/",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &["keys/app_private_key.pem", "keys/app_public_key.pem"],
        },
    },
    Example {
        command: "authwalk keys inspect key.txt other.pem",
        plan: Plan::Run {
            files: &[
                ("key.txt", PRIVATE_KEY_ONE_LINE),
                ("other.pem", APP_PUBLIC_KEY),
            ],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk keys inspect alipayRootCert.crt",
        plan: Plan::Run {
            files: &[("alipayRootCert.crt", ROOT_BUNDLE)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk keys inspect --app-private-key a.pem --alipay-public-key b.pem",
        plan: Plan::Run {
            files: &[("a.pem", PRIVATE_KEY), ("b.pem", ALIPAY_PUBLIC_KEY)],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk keys convert --to pkcs1 --one-line --out key.txt app_private_key.pem",
        plan: Plan::Run {
            files: &[("app_private_key.pem", PRIVATE_KEY)],
            stdin: None,
            code: 0,
            writes: &["key.txt"],
        },
    },
    // Walk a login headless.
    Example {
        command: "authwalk run alipay-web",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --sandbox sandbox.json --step token --code …",
        plan: Plan::Skip(NEEDS_RUNNING_SANDBOX),
    },
    Example {
        command: "authwalk run wechat-web --user wechat-unionid",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --app 2021000000000005",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run wechat-component",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run wecom-web --user wechat-emoji",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-isv --scenario isv-missing-app-auth-token",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 1,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --api v3",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --scenario wrong-scope",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            // The scenario reproduces a failure: the profile call is rejected.
            code: 1,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run wechat-mini --scenario mini-plus-space",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run wechat-web --scenario cgi-user-info",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 1,
            writes: &[],
        },
    },
    Example {
        command: "authwalk decrypt --session-key @session_key.txt --iv 'r7BXXKkLb8qrSNn05n0qiA==' --appid wx4f4bc4dec97d474b @encrypted.txt",
        plan: Plan::Run {
            files: &[
                ("session_key.txt", "tests/fixtures/wechat/session_key.txt"),
                ("encrypted.txt", "tests/fixtures/wechat/encrypted.txt"),
            ],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "pbpaste | authwalk decrypt --session-key env:SESSION_KEY --iv … --json -",
        plan: Plan::Skip(
            "needs a clipboard and a key in the environment; tests/wechat_mini.rs decrypts from \
             standard input with env:SESSION_KEY",
        ),
    },
    Example {
        command: "authwalk run alipay-mini --json > walk.json",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --app 2021000000000004",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-mini --phone-number",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk decrypt --encrypt-key @aes.key --alipay-public-key \
                  alipay_public_key.pem @response.json",
        plan: Plan::Run {
            files: &[
                ("aes.key", "tests/fixtures/responses/alipay_aes.key"),
                ("alipay_public_key.pem", ALIPAY_PUBLIC_KEY),
                (
                    "response.json",
                    "tests/fixtures/responses/alipay_phone_number.json",
                ),
            ],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --profile my-alipay",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    Example {
        command: "authwalk run wechat-web --profile my-wechat --from user-info \
                  --access-token … --openid …",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
    // Authorize URLs, QR codes and the URL linter.
    Example {
        command: "authwalk url alipay --app-id 2021000000000001 --scope auth_user \
                  --redirect-uri https://example.com/cb --qr",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk url wechat --appid wx5a1d0c0ffee00001 --scope snsapi_userinfo \
                  --redirect-uri https://example.com/cb --state abc123",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk lint \
                  'https://open.weixin.qq.com/connect/oauth2/authorize?appid=…#wechat_redirect'",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            // The example shows the linter finding errors: missing parameters.
            code: 1,
            writes: &[],
        },
    },
    // Explain a field, a code, or a pasted response.
    Example {
        command: "authwalk explain user_status=Q",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk explain 40163 --lang zh",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "authwalk explain isv.invalid-token",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    Example {
        command: "curl -s … | authwalk explain - \
                  --url 'https://api.weixin.qq.com/sns/userinfo?access_token=…'",
        plan: Plan::Run {
            files: &[],
            stdin: Some(WECHAT_USERINFO_RESPONSE),
            code: 0,
            writes: &[],
        },
    },
    // The embedded sandbox.
    Example {
        command: "authwalk sandbox",
        plan: Plan::Serve,
    },
    Example {
        command: "authwalk sandbox --listen 0.0.0.0:8080",
        plan: Plan::Skip(
            "listens on every interface on a fixed port: tests stay on 127.0.0.1 and must not \
             depend on port 8080 being free",
        ),
    },
    Example {
        command: "authwalk sandbox --scenario wrong-scope",
        plan: Plan::Serve,
    },
    Example {
        command: "authwalk sandbox --list",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            code: 0,
            writes: &[],
        },
    },
    // `authwalk run --help`.
    Example {
        command: "authwalk run wechat-web --user wechat-snapshot",
        plan: Plan::Run {
            files: &[],
            stdin: None,
            // A snapshot-mode user is only granted snsapi_base: /sns/userinfo answers 48001.
            code: 1,
            writes: &[],
        },
    },
    Example {
        command: "authwalk run alipay-web --profile my-alipay --from user-info \
                  --auth-token env:AUTH_TOKEN",
        plan: Plan::Skip(NEEDS_PROFILE),
    },
];

/// The `authwalk …` lines of the README's ```sh blocks, `\` continuations joined, trailing
/// `# comments` dropped, runs of spaces made one.
fn readme_examples(readme: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(trimmed);
        let logical = normalise(strip_comment(&std::mem::take(&mut pending)));
        if invokes_authwalk(&logical) {
            examples.push(logical);
        }
    }
    examples
}

/// The example lines of a `--help` text: lines that start with `authwalk `, comments dropped.
fn help_examples(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("authwalk "))
        .map(|l| normalise(strip_comment(l)))
        .collect()
}

/// A comment is `#` after whitespace outside quotes (a `#` inside a quoted URL is not one).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev_space => return &line[..i],
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    line
}

fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn invokes_authwalk(line: &str) -> bool {
    line.split('|')
        .any(|part| part.trim().starts_with("authwalk "))
}

/// Split a shell command line into words: single and double quotes, backslash escapes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.push(c),
            (_, '\\') => word.extend(chars.next()),
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quote in: {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// One sandbox state folder for the examples; its keys are made before any example runs.
fn state_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-examples-sandbox");
        let out = authwalk()
            .args(["run", "alipay-web", "--state-dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the first walk makes the sandbox keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

fn authwalk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authwalk"));
    cmd.env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

fn crate_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The `authwalk` part of an example as arguments (after the binary name), and the file its
/// standard output is redirected to, if any.
fn arguments(command: &str) -> (Vec<String>, Option<String>) {
    let part = command.rsplit('|').next().unwrap();
    let mut words = shell_words(part);
    assert_eq!(
        words.first().map(String::as_str),
        Some("authwalk"),
        "{command}"
    );
    words.remove(0);
    let mut redirect = None;
    if let Some(i) = words.iter().position(|w| w == ">") {
        redirect = Some(words[i + 1].clone());
        words.truncate(i);
    }
    if matches!(
        words.first().map(String::as_str),
        Some("run" | "sandbox" | "code")
    ) && !words.iter().any(|w| w == "--state-dir")
    {
        words.push("--state-dir".to_owned());
        words.push(state_dir().display().to_string());
    }
    (words, redirect)
}

fn run_example(
    command: &str,
    files: &[(&str, &str)],
    stdin: Option<&str>,
    code: i32,
    writes: &[&str],
) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in files {
        let path = dir.path().join(name);
        std::fs::copy(crate_file(source), &path).unwrap();
        // Owner-only, as `keys gen` writes keys: a loose private key is warned about.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let (args, redirect) = arguments(command);
    let mut cmd = authwalk();
    cmd.args(&args).current_dir(dir.path());
    if let Some(input) = stdin {
        cmd.stdin(std::fs::File::open(crate_file(input)).unwrap());
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let what = format!(
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    if out.status.code() != Some(code) {
        return Err(format!("expected exit {code}, got {what}"));
    }
    for file in writes {
        if !dir.path().join(file).is_file() {
            return Err(format!("did not write {file}: {what}"));
        }
    }
    if writes.is_empty() && stdout.trim().is_empty() {
        return Err(format!("printed nothing: {what}"));
    }
    // A clean example warns about nothing (a note of the files written aside); a failing one
    // says why on stdout, not as an error.
    if stderr.lines().any(|l| !l.starts_with("wrote ")) {
        return Err(format!("wrote to stderr: {what}"));
    }
    if let Some(file) = redirect {
        let path = dir.path().join(&file);
        std::fs::write(&path, out.stdout.as_slice()).unwrap();
        if Path::new(&file).extension().is_some_and(|e| e == "json") {
            serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .map_err(|e| format!("{file} is not JSON: {e}"))?;
        }
    }
    Ok(())
}

/// Start a server example, wait for its banner, stop it.
fn serve_example(command: &str) -> Result<(), String> {
    let (args, _) = arguments(command);
    let mut child = authwalk()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let result = loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break Err(format!("ended before its banner: {banner}"));
        }
        banner.push_str(&line);
        if line.contains("Press Ctrl-C to stop.") {
            break if banner.contains("http://127.0.0.1:") {
                Ok(())
            } else {
                Err(format!("the banner names no loopback address: {banner}"))
            };
        }
    };
    // Ending a server that runs until Ctrl-C: this child is ours.
    let _ = child.kill();
    child.wait().unwrap();
    result
}

fn entry(command: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| normalise(e.command) == command)
}

fn check_all(examples: &[String], source: &str) {
    let mut failures = Vec::new();
    for command in examples {
        let Some(example) = entry(command) else {
            failures.push(format!(
                "{source}: `{command}` has no entry in EXAMPLES; add one saying how it runs"
            ));
            continue;
        };
        let result = match &example.plan {
            Plan::Run {
                files,
                stdin,
                code,
                writes,
            } => run_example(command, files, *stdin, *code, writes),
            Plan::Serve => serve_example(command),
            Plan::Skip(reason) => {
                assert!(!reason.is_empty());
                Ok(())
            }
        };
        if let Err(e) = result {
            failures.push(format!("{source}: `{command}`: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn readme() -> String {
    std::fs::read_to_string(crate_file("README.md")).unwrap()
}

fn run_help() -> String {
    let out = authwalk().args(["run", "--help"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn readme_examples_run() {
    let examples = readme_examples(&readme());
    assert!(
        examples.len() >= 20,
        "the README's examples were not found: {examples:#?}"
    );
    check_all(&examples, "README");
}

#[test]
fn run_help_examples_run() {
    let examples = help_examples(&run_help());
    assert!(
        examples.len() >= 3,
        "no examples in run --help: {examples:#?}"
    );
    check_all(&examples, "run --help");
}

/// An entry that no longer matches an example is stale: remove or update it.
#[test]
fn every_entry_is_an_example() {
    let mut all = readme_examples(&readme());
    all.extend(help_examples(&run_help()));
    let stale: Vec<_> = EXAMPLES
        .iter()
        .map(|e| normalise(e.command))
        .filter(|c| !all.contains(c))
        .collect();
    assert!(
        stale.is_empty(),
        "entries matching no example in the README or run --help: {stale:#?}"
    );
}

/// Demo users named anywhere in the README exist in the sandbox.
#[test]
fn demo_users_in_examples_exist() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state_dir().join("sandbox.json")).unwrap()).unwrap();
    let users: Vec<&str> = manifest["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let mut all = readme_examples(&readme());
    all.extend(help_examples(&run_help()));
    for command in &all {
        let words = shell_words(command);
        for pair in words.windows(2) {
            if pair[0] == "--user" {
                assert!(
                    users.contains(&pair[1].as_str()),
                    "`{command}` names demo user '{}'; the sandbox has {users:?}",
                    pair[1]
                );
            }
        }
    }
}

#[test]
fn the_extractor_joins_continuations_and_drops_comments() {
    let text = "```sh\nauthwalk a \\\n  b  c   # note\nnot me\n\
                curl x | authwalk lint 'u?a=1#frag'  # lint\n```\n```text\nauthwalk no\n```\n";
    assert_eq!(
        readme_examples(text),
        ["authwalk a b c", "curl x | authwalk lint 'u?a=1#frag'"]
    );
    assert_eq!(
        shell_words("authwalk sign t='2024-05-20 12:34:56' \"a b\" c\\ d"),
        ["authwalk", "sign", "t=2024-05-20 12:34:56", "a b", "c d"]
    );
}
