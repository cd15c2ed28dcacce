//! The mini program's encrypted user data: AES-128-CBC with PKCS#7 padding, the key being the
//! `session_key` of the user's latest `wx.login` (base64, 16 bytes) and the IV the 16 bytes
//! that came with the data. Pure, and the sandbox encrypts with the same functions.

use aes::Aes128;
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

/// The AES block (and key, and IV) size in bytes.
pub const BLOCK: usize = 16;

/// Why raw AES-CBC could not run or unpad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("the key is {0} bytes; AES-128 needs 16")]
    KeyLength(usize),
    #[error("the IV is {0} bytes; CBC needs 16")]
    IvLength(usize),
    #[error("the data is {0} bytes, not a whole number of 16-byte blocks")]
    DataLength(usize),
    #[error("the PKCS#7 padding at the end is not valid")]
    Padding,
}

fn check(key: &[u8], iv: &[u8]) -> Result<(), CipherError> {
    if key.len() != BLOCK {
        return Err(CipherError::KeyLength(key.len()));
    }
    if iv.len() != BLOCK {
        return Err(CipherError::IvLength(iv.len()));
    }
    Ok(())
}

/// Encrypt `plain` (PKCS#7 padded) as WeChat does for `encryptedData`.
pub fn encrypt(key: &[u8], iv: &[u8], plain: &[u8]) -> Result<Vec<u8>, CipherError> {
    check(key, iv)?;
    let cipher = cbc::Encryptor::<Aes128>::new_from_slices(key, iv)
        .map_err(|_| CipherError::KeyLength(key.len()))?;
    Ok(cipher.encrypt_padded_vec_mut::<Pkcs7>(plain))
}

/// Decrypt and remove the PKCS#7 padding.
pub fn decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CipherError> {
    let raw = decrypt_raw(key, iv, data)?;
    unpad(&raw).map(<[u8]>::to_vec).ok_or(CipherError::Padding)
}

/// Decrypt without looking at the padding: what the blocks say, padding bytes included (the
/// doctor reads it to tell a wrong key from a damaged end).
pub fn decrypt_raw(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CipherError> {
    check(key, iv)?;
    if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
        return Err(CipherError::DataLength(data.len()));
    }
    let cipher = cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
        .map_err(|_| CipherError::KeyLength(key.len()))?;
    cipher
        .decrypt_padded_vec_mut::<NoPadding>(data)
        .map_err(|_| CipherError::DataLength(data.len()))
}

/// The text before a valid PKCS#7 padding, if the padding is valid.
pub fn unpad(raw: &[u8]) -> Option<&[u8]> {
    let n = usize::from(*raw.last()?);
    if n == 0 || n > BLOCK || n > raw.len() {
        return None;
    }
    let (text, pad) = raw.split_at(raw.len() - n);
    pad.iter().all(|b| usize::from(*b) == n).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_padding() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        for len in [0, 1, 15, 16, 17, 100] {
            let plain = vec![b'a'; len];
            let data = encrypt(&key, &iv, &plain).expect("encrypt");
            assert_eq!(data.len() % 16, 0);
            assert!(data.len() > len, "a whole block of padding when aligned");
            assert_eq!(decrypt(&key, &iv, &data).expect("decrypt"), plain);
        }
    }

    #[test]
    fn lengths_are_named() {
        assert_eq!(
            decrypt(&[0; 15], &[0; 16], &[0; 16]),
            Err(CipherError::KeyLength(15))
        );
        assert_eq!(
            decrypt(&[0; 16], &[0; 12], &[0; 16]),
            Err(CipherError::IvLength(12))
        );
        assert_eq!(
            decrypt(&[0; 16], &[0; 16], &[0; 20]),
            Err(CipherError::DataLength(20))
        );
    }

    #[test]
    fn a_wrong_key_almost_never_unpads() {
        let data = encrypt(&[1; 16], &[2; 16], br#"{"openId":"o1","watermark":{}}"#).expect("enc");
        assert_eq!(
            decrypt(&[3; 16], &[2; 16], &data),
            Err(CipherError::Padding)
        );
    }
}
