use super::{article, declared_der_len};

#[test]
fn articles() {
    assert_eq!(article("EC (ECDSA) private key"), "an");
    assert_eq!(article("SM2 public key"), "an");
    assert_eq!(article("DSA private key"), "a");
    assert_eq!(article("non-RSA public key"), "a");
    assert_eq!(article("OpenSSH-format private key"), "an");
}

#[test]
fn der_length_header() {
    assert_eq!(declared_der_len(&[0x30, 0x05]), Some(7));
    assert_eq!(
        declared_der_len(&[0x30, 0x82, 0x04, 0xbd]),
        Some(4 + 0x04bd)
    );
    assert_eq!(declared_der_len(&[0x30, 0x80]), None);
    assert_eq!(declared_der_len(&[0x30]), None);
}
