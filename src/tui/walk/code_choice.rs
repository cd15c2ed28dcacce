//! The SDK the inspector's code popup (`C`) last showed, per provider, remembered in the
//! `[code]` table of `config.toml`:
//!
//! ```toml
//! [code]
//! alipay = "smartwalle"
//! wechat = "wechatpy"
//! ```
//!
//! Written by editing that one table's lines, so the rest of the file (profiles, comments, key
//! map) stays as it was, and its mode with it.

use std::io;
use std::path::Path;

use crate::present::code::Sdk;
use crate::provider::Provider;

fn key(provider: Provider) -> &'static str {
    match provider {
        Provider::Alipay => "alipay",
        Provider::Wechat => "wechat",
    }
}

/// The remembered SDK for `provider` in the config text, if it names one that speaks it.
pub fn parse(text: &str, provider: Provider) -> Option<Sdk> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let sdk: Sdk = table
        .get("code")?
        .as_table()?
        .get(key(provider))?
        .as_str()?
        .parse()
        .ok()?;
    (sdk.provider() == provider).then_some(sdk)
}

/// The remembered SDK for `provider` in the file at `path` (none when the file is absent or
/// unreadable: a choice is a convenience, never an error).
pub fn load(path: &Path, provider: Provider) -> Option<Sdk> {
    let text = crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE).ok()?;
    parse(&text, provider)
}

/// `text` with `[code] <provider> = "<sdk>"` set: the line replaced where the table has one,
/// added to the table where it has none, the table appended where the file has none.
pub fn with_choice(text: &str, sdk: Sdk) -> String {
    let name = key(sdk.provider());
    let line = format!("{name} = \"{}\"", sdk.id());
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| l.trim() == "[code]");
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    if let Some(h) = header {
        let end = lines[h + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with('['))
            .map_or(lines.len(), |i| h + 1 + i);
        let existing =
            (h + 1..end).find(|&i| lines[i].split('=').next().is_some_and(|k| k.trim() == name));
        match existing {
            Some(i) => out[i] = line,
            None => out.insert(h + 1, line),
        }
    } else {
        if out.last().is_some_and(|l| !l.trim().is_empty()) {
            out.push(String::new());
        }
        out.push("[code]".to_owned());
        out.push(line);
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

/// Remember `sdk` for its provider in the config file at `path` (created 0600 when absent;
/// an existing file is rewritten in place, keeping its mode).
pub fn remember(path: &Path, sdk: Sdk) -> io::Result<()> {
    if path.exists() {
        let text = crate::limits::read_text_file(path, crate::limits::MAX_KEY_FILE)
            .map_err(|e| io::Error::other(e.to_string()))?;
        if parse(&text, sdk.provider()) == Some(sdk) {
            return Ok(());
        }
        std::fs::write(path, with_choice(&text, sdk))
    } else {
        if let Some(dir) = path.parent() {
            crate::config::create_private_dir(dir)?;
        }
        crate::config::write_secret_file(path, with_choice("", sdk).as_bytes(), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_added_replaced_and_read_back_keeping_the_rest() {
        let text = "# mine\ntheme = \"light\"\n\n[profiles.a]\nprovider = \"wechat\"\n";
        let once = with_choice(text, Sdk::Smartwalle);
        assert!(once.starts_with(text), "{once}");
        assert_eq!(parse(&once, Provider::Alipay), Some(Sdk::Smartwalle));
        assert_eq!(parse(&once, Provider::Wechat), None);
        let twice = with_choice(&once, Sdk::Wechatpy);
        let thrice = with_choice(&twice, Sdk::Gopay);
        assert_eq!(parse(&thrice, Provider::Alipay), Some(Sdk::Gopay));
        assert_eq!(parse(&thrice, Provider::Wechat), Some(Sdk::Wechatpy));
        assert_eq!(thrice.matches("[code]").count(), 1, "{thrice}");
        assert!(
            thrice.contains("[profiles.a]\nprovider = \"wechat\""),
            "{thrice}"
        );
        // The profile loader reads a file with a [code] table.
        let config = with_choice("theme = \"light\"\n", Sdk::Gopay);
        let config = crate::config::profile::parse(&config, Path::new("config.toml"));
        assert!(config.is_ok_and(|c| c.code.is_some()));
    }

    #[test]
    fn an_sdk_of_the_other_provider_or_an_unknown_one_is_no_choice() {
        let text = "[code]\nalipay = \"wechatpy\"\nwechat = \"nope\"\n";
        assert_eq!(parse(text, Provider::Alipay), None);
        assert_eq!(parse(text, Provider::Wechat), None);
    }
}
