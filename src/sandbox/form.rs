//! Reading `application/x-www-form-urlencoded` parameters as bytes, so that a GBK body (whose
//! percent-escapes are GBK bytes, not UTF-8) decodes in the charset the request names.

use std::borrow::Cow;

use crate::provider::alipay::Charset;

/// Split a query string or form body into (name, value) byte pairs: `+` is a space and
/// `%XX` a byte; a malformed escape is kept literally, as browsers and Java do.
pub(crate) fn raw_pairs(input: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            (unescape(name), unescape(value))
        })
        .collect()
}

fn unescape(input: &[u8]) -> Vec<u8> {
    let plus: Vec<u8> = input
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&plus).collect()
}

/// Decode byte pairs in `charset`; `Err` names the first parameter that is not valid in it.
pub(crate) fn decode_pairs(
    pairs: &[(Vec<u8>, Vec<u8>)],
    charset: Charset,
) -> Result<Vec<(String, String)>, String> {
    pairs
        .iter()
        .map(|(k, v)| {
            let key = charset.decode(k).map_err(|_| lossy(k).into_owned())?;
            let value = charset.decode(v).map_err(|_| key.clone().into_owned())?;
            Ok((key.into_owned(), value.into_owned()))
        })
        .collect()
}

/// Pairs decoded as UTF-8, replacing what is not (for the plain-UTF-8 WeChat and control APIs).
pub(crate) fn utf8_pairs(input: &[u8]) -> Vec<(String, String)> {
    raw_pairs(input)
        .iter()
        .map(|(k, v)| (lossy(k).into_owned(), lossy(v).into_owned()))
        .collect()
}

fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The first value of `name`, if present.
pub(crate) fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The first value of `name` when it is present and not blank.
pub(crate) fn non_empty<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    first(pairs, name).filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_body_decodes_in_its_charset() {
        let body = b"nick=%D6%D0%CE%C4&x=a+b&bad=%zz";
        let pairs = decode_pairs(&raw_pairs(body), Charset::Gbk).expect("valid GBK");
        assert_eq!(pairs[0], ("nick".into(), "中文".into()));
        assert_eq!(pairs[1], ("x".into(), "a b".into()));
        assert_eq!(pairs[2], ("bad".into(), "%zz".into()));
        assert_eq!(
            decode_pairs(&raw_pairs(body), Charset::Utf8),
            Err("nick".to_owned())
        );
    }
}
