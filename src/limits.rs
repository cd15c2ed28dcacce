//! Size limits on everything authwalk reads, and the one bounded reader they share.
//!
//! A file argument can be `/dev/zero`, standard input can be `/dev/urandom`, and a server can
//! stream forever: nothing is read whole without a limit. The limits are far above any genuine
//! input (a gateway response is a few KB, a key or config file a few hundred bytes) and far
//! below what hurts a laptop.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// A pasted response, a URL file or a HAR file.
pub const MAX_DOCUMENT: u64 = 16 * MIB;

/// A key, certificate, config or secret file.
pub const MAX_KEY_FILE: u64 = MIB;

/// A byte count in words: `16 MiB`, `1.5 KiB`, `12 bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
        for (unit, name) in UNITS {
            if self.0 >= unit {
                let whole = self.0 / unit;
                let tenths = (self.0 % unit) * 10 / unit;
                return if tenths == 0 {
                    write!(f, "{whole} {name}")
                } else {
                    write!(f, "{whole}.{tenths} {name}")
                };
            }
        }
        match self.0 {
            1 => f.write_str("1 byte"),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// Parse a size as people write it: `8388608`, `512K`, `8M`, `8MiB`, `1 GiB` (binary units;
/// `K`, `KB` and `KiB` all mean 1024). For `--max-body`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a size; write e.g. 8M, 512K or 8388608"))?;
    let multiplier = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown unit '{other}' in '{text}'; use K, M or G (binary: 1K = 1024 bytes)"
            ));
        }
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("'{text}' is too large"))
}

/// Parse `--max-body`: a [`parse_size`] between 1 KiB and 1 GiB.
pub fn parse_body_limit(text: &str) -> Result<usize, String> {
    let bytes = parse_size(text)?;
    if !(1024..=1 << 30).contains(&bytes) {
        return Err(format!(
            "{} is out of range; use 1K to 1G (the default, 8M, fits any API answer)",
            Size(bytes)
        ));
    }
    usize::try_from(bytes).map_err(|_| format!("{} does not fit in memory here", Size(bytes)))
}

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The input did not end within the limit.
    #[error("{source_name} is larger than {limit}; is this the right {kind}?", limit = Size(*.limit))]
    TooLarge {
        /// The path, or "standard input".
        source_name: String,
        /// "file" or "input".
        kind: &'static str,
        limit: u64,
    },
    /// The read itself failed.
    #[error("cannot read {source_name}: {io}")]
    Io {
        source_name: String,
        /// Shown in the message itself, so not also a `source` (the chain would say it twice).
        io: io::Error,
    },
}

impl ReadError {
    /// Whether the input passed the limit (rather than failing to read).
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }

    /// As an I/O error, for callers that name the file themselves: the OS's error as it was
    /// (so `NotFound` stays `NotFound`), or `InvalidData` saying the limit.
    pub fn into_io(self) -> io::Error {
        match self {
            Self::Io { io, .. } => io,
            Self::TooLarge { kind, limit, .. } => io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it is larger than {}; is this the right {kind}?",
                    Size(limit)
                ),
            ),
        }
    }
}

/// Read `reader` to its end, but never more than `limit` bytes: one byte past the limit is a
/// [`ReadError::TooLarge`], and at most `limit + 1` bytes are ever held.
pub fn read_limited(
    reader: impl Read,
    limit: u64,
    source_name: &str,
) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|io| ReadError::Io {
            source_name: source_name.to_owned(),
            io,
        })?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            source_name: source_name.to_owned(),
            kind: if source_name == STDIN {
                "input"
            } else {
                "file"
            },
            limit,
        });
    }
    Ok(buf)
}

/// How standard input is named in errors.
pub const STDIN: &str = "standard input";

/// Read a file, but never more than `limit` bytes (see [`read_limited`]).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|io| ReadError::Io {
        source_name: name.clone(),
        io,
    })?;
    read_limited(file, limit, &name)
}

/// Read a text file (UTF-8), but never more than `limit` bytes.
pub fn read_text_file(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_file(path, limit)?;
    String::from_utf8(bytes).map_err(|e| ReadError::Io {
        source_name: path.display().to_string(),
        io: io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(Size(16 * MIB).to_string(), "16 MiB");
        assert_eq!(Size(1536).to_string(), "1.5 KiB");
        assert_eq!(Size(1).to_string(), "1 byte");
        assert_eq!(Size(1000).to_string(), "1000 bytes");
        assert_eq!(parse_size("8M"), Ok(8 * MIB));
        assert_eq!(parse_size("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("1 gb"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("8X").is_err_and(|e| e.contains("unknown unit")));
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert_eq!(parse_body_limit("8M"), Ok(8 << 20));
        assert!(parse_body_limit("512").is_err_and(|e| e.contains("out of range")));
        assert!(parse_body_limit("2G").is_err_and(|e| e.contains("out of range")));
    }

    #[test]
    fn an_endless_reader_stops_one_byte_past_the_limit() {
        let err = read_limited(io::repeat(0), 1000, STDIN).expect_err("too large");
        assert!(err.is_too_large());
        assert_eq!(
            err.to_string(),
            "standard input is larger than 1000 bytes; is this the right input?"
        );
        let exact = read_limited(&[7u8; 1000][..], 1000, "f").expect("fits");
        assert_eq!(exact.len(), 1000);
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused_as_a_file() {
        let path = Path::new("/dev/zero");
        let err = read_file(path, MAX_KEY_FILE).expect_err("endless");
        assert_eq!(
            err.to_string(),
            "/dev/zero is larger than 1 MiB; is this the right file?"
        );
    }
}
