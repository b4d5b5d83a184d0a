//! Random secrets and their hashes. Tokens are stored only as SHA-256 hashes: they are long
//! random strings, so a fast hash is enough (unlike passwords, which use argon2).

use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    hex::encode(buf)
}

/// Hex SHA-256 of `s`.
pub fn sha256_hex(s: &[u8]) -> String {
    hex::encode(Sha256::digest(s))
}
