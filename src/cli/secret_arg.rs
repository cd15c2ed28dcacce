//! Secret arguments (`--code`, `--auth-token`, `--refresh-token`) that need not appear in `ps`:
//! a value given as `-` is read from standard input, `@FILE` (or `file:FILE`, as a profile
//! spells it) from a file, `env:NAME` from an environment variable; anything else is the value
//! itself. One trailing newline (or CRLF) and
//! surrounding blanks are dropped, as a shell's `echo` or an editor adds them.

use std::path::Path;

use anyhow::{Context as _, bail};

/// Where the values come from; the CLI uses [`System`], tests a fake.
pub(crate) trait Sources {
    fn env(&self, name: &str) -> Option<String>;
    fn file(&mut self, path: &Path) -> anyhow::Result<String>;
    fn stdin(&mut self) -> anyhow::Result<String>;
    /// Say something to the person (a loose file's warning).
    fn warn(&mut self, text: &str);
}

/// The real process: its environment, files, standard input and standard error.
pub(crate) struct System;

/// A token or code file is a few hundred bytes; anything past 64 KiB is not one.
const MAX_SECRET_FILE: u64 = 64 * 1024;

impl Sources for System {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn file(&mut self, path: &Path) -> anyhow::Result<String> {
        Ok(crate::limits::read_text_file(path, MAX_SECRET_FILE)?)
    }

    fn stdin(&mut self) -> anyhow::Result<String> {
        let bytes = crate::limits::read_limited(
            std::io::stdin().lock(),
            MAX_SECRET_FILE,
            crate::limits::STDIN,
        )?;
        String::from_utf8(bytes).context("standard input is not UTF-8 text")
    }

    fn warn(&mut self, text: &str) {
        eprintln!("{text}");
    }
}

/// Resolve the secret arguments of one command, in order: `(flag, value)` pairs such as
/// `("--code", Some("-"))`. At most one may read standard input.
pub(crate) fn resolve_all<const N: usize>(
    args: [(&str, Option<&str>); N],
    sources: &mut impl Sources,
) -> anyhow::Result<[Option<String>; N]> {
    let readers: Vec<&str> = args
        .iter()
        .filter(|(_, v)| v.is_some_and(|v| v.trim() == "-"))
        .map(|(flag, _)| *flag)
        .collect();
    if readers.len() > 1 {
        bail!(
            "{} all ask to read standard input; give at most one of them as `-` and the others \
             as @FILE or env:NAME",
            readers.join(" and ")
        );
    }
    let mut out = [const { None }; N];
    for (slot, (flag, value)) in out.iter_mut().zip(args) {
        *slot = value.map(|v| resolve(flag, v, sources)).transpose()?;
    }
    Ok(out)
}

/// Resolve one secret argument.
pub(crate) fn resolve(
    flag: &str,
    value: &str,
    sources: &mut impl Sources,
) -> anyhow::Result<String> {
    let (text, from) = if value.trim() == "-" {
        (sources.stdin()?, "standard input".to_owned())
    } else if let Some(path) = value
        .strip_prefix('@')
        .or_else(|| value.strip_prefix("file:"))
    {
        if path.is_empty() {
            bail!("{flag} @ names no file; write {flag} @FILE");
        }
        let path = Path::new(path);
        if let Some(warning) = crate::config::loose_file_warning(path, "SECRET") {
            sources.warn(&warning);
        }
        let text = sources
            .file(path)
            .with_context(|| format!("cannot read {flag} from {}", path.display()))?;
        (text, path.display().to_string())
    } else if let Some(name) = value.strip_prefix("env:") {
        let text = sources.env(name).ok_or_else(|| {
            anyhow::anyhow!(
                "{flag} env:{name}: the environment variable {name} is not set; export it, or \
                 pass the value with {flag} - (standard input) or {flag} @FILE"
            )
        })?;
        (text, format!("the environment variable {name}"))
    } else {
        return Ok(value.to_owned());
    };
    let text = text.trim();
    if text.is_empty() {
        bail!("{flag}: {from} is empty; it should hold the value itself");
    }
    if text.contains(['\n', '\r']) {
        bail!("{flag}: {from} holds more than one line; it should hold only the value");
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::*;

    #[derive(Default)]
    struct Fake {
        env: HashMap<String, String>,
        files: HashMap<PathBuf, String>,
        stdin: Option<String>,
        warnings: Vec<String>,
    }

    impl Sources for Fake {
        fn env(&self, name: &str) -> Option<String> {
            self.env.get(name).cloned()
        }
        fn file(&mut self, path: &Path) -> anyhow::Result<String> {
            self.files
                .get(path)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no such file"))
        }
        fn stdin(&mut self) -> anyhow::Result<String> {
            self.stdin
                .take()
                .ok_or_else(|| anyhow::anyhow!("stdin read twice"))
        }
        fn warn(&mut self, text: &str) {
            self.warnings.push(text.to_owned());
        }
    }

    #[test]
    fn each_source_gives_the_value_without_its_newline() {
        let mut fake = Fake {
            env: HashMap::from([("TOKEN".to_owned(), "authusrB1\n".to_owned())]),
            files: HashMap::from([
                (PathBuf::from("code.txt"), "c0de\r\n".to_owned()),
                (PathBuf::from("other.txt"), "other\n".to_owned()),
            ]),
            stdin: Some("refresh9\n".to_owned()),
            ..Fake::default()
        };
        let [code, token, refresh, plain] = resolve_all(
            [
                ("--code", Some("@code.txt")),
                ("--auth-token", Some("env:TOKEN")),
                ("--refresh-token", Some("-")),
                ("--other", Some("literal")),
            ],
            &mut fake,
        )
        .unwrap();
        assert_eq!(code.as_deref(), Some("c0de"));
        assert_eq!(token.as_deref(), Some("authusrB1"));
        assert_eq!(refresh.as_deref(), Some("refresh9"));
        assert_eq!(plain.as_deref(), Some("literal"));
        let [none, spelled] = resolve_all(
            [("--code", None), ("--code", Some("file:other.txt"))],
            &mut fake,
        )
        .unwrap();
        assert_eq!(none, None);
        assert_eq!(spelled.as_deref(), Some("other"));
    }

    #[test]
    fn bad_sources_say_what_to_do() {
        let mut fake = Fake::default();
        let e = resolve("--code", "env:NOPE", &mut fake)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NOPE is not set"), "{e}");
        let e = format!(
            "{:#}",
            resolve("--code", "@missing", &mut fake).unwrap_err()
        );
        assert!(e.contains("cannot read --code from missing"), "{e}");
        let e = resolve("--code", "@", &mut fake).unwrap_err().to_string();
        assert!(e.contains("names no file"), "{e}");
        fake.env.insert("EMPTY".to_owned(), " \n".to_owned());
        let e = resolve("--code", "env:EMPTY", &mut fake)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is empty"), "{e}");
        fake.stdin = Some("a\nb\n".to_owned());
        let e = resolve("--code", "-", &mut fake).unwrap_err().to_string();
        assert!(e.contains("more than one line"), "{e}");
        let e = resolve_all(
            [("--code", Some("-")), ("--auth-token", Some(" - "))],
            &mut fake,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("--code and --auth-token"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_loose_secret_file_is_warned_about() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "tok\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut sources = WarnOnly::default();
        let value = resolve(
            "--auth-token",
            &format!("@{}", path.display()),
            &mut sources,
        )
        .unwrap();
        assert_eq!(value, "tok");
        assert_eq!(sources.0.len(), 1);
        assert!(sources.0[0].starts_with("WARNING: UNPROTECTED SECRET FILE!"));

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut sources = WarnOnly::default();
        resolve(
            "--auth-token",
            &format!("@{}", path.display()),
            &mut sources,
        )
        .unwrap();
        assert!(sources.0.is_empty());
    }

    /// The real files, warnings kept.
    #[derive(Default)]
    struct WarnOnly(Vec<String>);

    impl Sources for WarnOnly {
        fn env(&self, name: &str) -> Option<String> {
            System.env(name)
        }
        fn file(&mut self, path: &Path) -> anyhow::Result<String> {
            System.file(path)
        }
        fn stdin(&mut self) -> anyhow::Result<String> {
            anyhow::bail!("no stdin in this test")
        }
        fn warn(&mut self, text: &str) {
            self.0.push(text.to_owned());
        }
    }
}
