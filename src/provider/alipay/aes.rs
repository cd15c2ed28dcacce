//! Alipay's content encryption (`encrypt_type=AES`): AES-128-CBC with a zero IV and PKCS#7
//! padding, under the app's `encrypt_key` (the base64 of 16 random bytes the console shows, 接口
//!内容加密方式). The ciphertext travels as base64. `my.getPhoneNumber` answers
//! `{"response":"<ciphertext>","sign":"…"}`, where `sign` covers the ciphertext wrapped in double
//! quotes, exactly as it stands in the body.
//!
//! Pure: the key and the bytes come in as arguments.

use aes::Aes128;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

type Encryptor = cbc::Encryptor<Aes128>;
type Decryptor = cbc::Decryptor<Aes128>;

/// Alipay's IV: sixteen zero bytes, the same for every message.
const ZERO_IV: [u8; 16] = [0; 16];

/// Why an `encrypt_key` or a ciphertext was refused. Each names the cause and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AesError {
    /// The key is not base64.
    #[error(
        "the encrypt_key is not base64: copy the AES key from the app's console page \
         (content encryption) as shown"
    )]
    KeyNotBase64,
    /// The key decodes to something other than 16 bytes.
    #[error(
        "the encrypt_key decodes to {0} bytes, AES-128 needs 16: it is the 24-character base64 \
         key from the console, not the app private key or an RSA public key"
    )]
    KeyLength(usize),
    /// The ciphertext is not base64.
    #[error("the ciphertext is not base64: paste the `response` value without its quotes")]
    CiphertextNotBase64,
    /// The ciphertext is not a whole number of 16-byte blocks.
    #[error("the ciphertext is {0} bytes, not a multiple of 16: it was cut or altered on its way")]
    CiphertextLength(usize),
    /// Decryption ran but the padding is wrong: almost always another app's key.
    #[error(
        "the padding is wrong after decryption: this encrypt_key is not the one that encrypted \
         the data (another app's key, or a key reset in the console since)"
    )]
    WrongKey,
    /// There is a ciphertext and no key to decrypt it with.
    #[error(
        "no encrypt_key to decrypt with: give the app's AES key (--encrypt-key, or encrypt_key \
         in the profile)"
    )]
    NoKey,
    /// Decryption and padding were fine but the plaintext is not UTF-8 text.
    #[error(
        "the decrypted bytes are not UTF-8 text: the encrypt_key is probably wrong (a wrong key \
         passes the padding check about once in 256 tries)"
    )]
    NotText,
}

impl AesError {
    /// The text key (`assets/text/engine.toml`) of this cause, for the faces that speak
    /// several languages.
    pub fn text_key(&self) -> &'static str {
        match self {
            Self::KeyNotBase64 => "aes.key-not-base64",
            Self::KeyLength(_) => "aes.key-length",
            Self::CiphertextNotBase64 => "aes.ciphertext-not-base64",
            Self::CiphertextLength(_) => "aes.ciphertext-length",
            Self::NoKey => "aes.no-key",
            Self::WrongKey => "aes.wrong-key",
            Self::NotText => "aes.not-text",
        }
    }

    /// A stable finding code for this cause.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyNotBase64 | Self::KeyLength(_) => "alipay.aes.bad-key",
            Self::CiphertextNotBase64 | Self::CiphertextLength(_) => "alipay.aes.bad-ciphertext",
            Self::NoKey => "alipay.aes.no-key",
            Self::WrongKey | Self::NotText => "alipay.aes.wrong-key",
        }
    }
}

/// A parsed AES key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptKey([u8; 16]);

impl std::fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptKey(…)")
    }
}

impl EncryptKey {
    /// Parse the console's base64 key; surrounding whitespace and quotes are forgiven.
    pub fn parse(text: &str) -> Result<Self, AesError> {
        let text = text.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        let bytes = STANDARD.decode(text).map_err(|_| AesError::KeyNotBase64)?;
        let key: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| AesError::KeyLength(bytes.len()))?;
        Ok(Self(key))
    }

    /// A key from raw bytes (the sandbox makes its own).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The base64 form the console shows.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Encrypt `plaintext`, returning the base64 ciphertext.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let data = plaintext.as_bytes();
        let padded = (data.len() / 16 + 1) * 16;
        let mut buffer = vec![0u8; padded];
        buffer[..data.len()].copy_from_slice(data);
        let sealed = Encryptor::new(&self.0.into(), &ZERO_IV.into())
            .encrypt_padded_mut::<Pkcs7>(&mut buffer, data.len())
            .map_or(padded, <[u8]>::len);
        STANDARD.encode(&buffer[..sealed])
    }

    /// Decrypt a base64 ciphertext to text.
    pub fn decrypt(&self, ciphertext: &str) -> Result<String, AesError> {
        let text: String = ciphertext.chars().filter(|c| !c.is_whitespace()).collect();
        let mut bytes = STANDARD
            .decode(text.trim_matches('"'))
            .map_err(|_| AesError::CiphertextNotBase64)?;
        if bytes.is_empty() || bytes.len() % 16 != 0 {
            return Err(AesError::CiphertextLength(bytes.len()));
        }
        let plain = Decryptor::new(&self.0.into(), &ZERO_IV.into())
            .decrypt_padded_mut::<Pkcs7>(&mut bytes)
            .map_err(|_| AesError::WrongKey)?;
        String::from_utf8(plain.to_vec()).map_err(|_| AesError::NotText)
    }
}

/// The exact text `sign` covers in an encrypted answer: the ciphertext in double quotes.
pub fn signed_ciphertext(ciphertext: &str) -> String {
    format!("\"{ciphertext}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";

    #[test]
    fn round_trip_and_known_shape() {
        let key = EncryptKey::parse(KEY).expect("key");
        let sealed = key.encrypt(r#"{"code":"10000","msg":"Success","mobile":"13800000000"}"#);
        // 57 bytes of JSON pad to 64: 88 base64 characters.
        assert_eq!(sealed.len(), 88);
        assert_eq!(
            key.decrypt(&sealed).expect("decrypts"),
            r#"{"code":"10000","msg":"Success","mobile":"13800000000"}"#
        );
        // Zero IV, so the same plaintext always gives the same ciphertext.
        assert_eq!(
            sealed,
            key.encrypt(r#"{"code":"10000","msg":"Success","mobile":"13800000000"}"#)
        );
    }

    #[test]
    fn known_answer_from_openssl() {
        // printf 'hello' | openssl enc -aes-128-cbc -K 00..0f -iv 0 | base64
        let key = EncryptKey::from_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(key.encrypt("hello"), OPENSSL_HELLO);
        assert_eq!(key.decrypt(OPENSSL_HELLO).expect("decrypts"), "hello");
    }

    const OPENSSL_HELLO: &str = "XYdJ4q91MbK/ZmHp5drwEg==";

    #[test]
    fn wrong_key_and_bad_input_are_named() {
        let key = EncryptKey::parse(KEY).expect("key");
        let other = EncryptKey::from_bytes([7; 16]);
        let sealed = key.encrypt("{\"mobile\":\"13800000000\"}");
        assert!(matches!(
            other.decrypt(&sealed),
            Err(AesError::WrongKey | AesError::NotText)
        ));
        assert_eq!(
            EncryptKey::parse("not base64!"),
            Err(AesError::KeyNotBase64)
        );
        assert_eq!(EncryptKey::parse("AAAA"), Err(AesError::KeyLength(3)));
        assert_eq!(key.decrypt("@@"), Err(AesError::CiphertextNotBase64));
        assert_eq!(key.decrypt("AAAA"), Err(AesError::CiphertextLength(3)));
        assert!(format!("{key:?}").contains('…'));
        assert!(!format!("{key:?}").contains("aa4B"));
    }

    #[test]
    fn signed_text_is_the_quoted_ciphertext() {
        assert_eq!(signed_ciphertext("abc="), "\"abc=\"");
    }
}
