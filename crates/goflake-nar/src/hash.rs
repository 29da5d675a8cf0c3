//! SHA-256 hashes in Nix's three spellings (SRI base64, nix32, hex), and the `got:` hash of
//! fixed-output hash-mismatch messages.

use std::fmt;

/// A SHA-256 digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256(pub [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    #[error(
        "`{0}` is not a SHA-256 hash (expected sha256-<base64>, sha256:<nix32> or 64 hex digits)"
    )]
    Unrecognised(String),
    #[error(
        "`{text}` has the wrong length for a SHA-256 hash ({found} characters, expected {expected})"
    )]
    Length {
        text: String,
        found: usize,
        expected: usize,
    },
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// Nix's base-32 alphabet (no e, o, u, t).
const NIX32: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";

impl Sha256 {
    /// `sha256-<base64>`, as `vendorHash` is written.
    pub fn sri(&self) -> String {
        format!("sha256-{}", base64(&self.0))
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Nix's base-32 (52 characters), as `nix-hash --type sha256 --base32` prints.
    pub fn nix32(&self) -> String {
        let bytes = &self.0;
        let len = (bytes.len() * 8).div_ceil(5);
        (0..len)
            .rev()
            .map(|n| {
                let b = n * 5;
                let i = b / 8;
                let j = b % 8;
                let low = u16::from(bytes[i]) >> j;
                let high = if i + 1 < bytes.len() {
                    u16::from(bytes[i + 1]) << (8 - j)
                } else {
                    0
                };
                NIX32[usize::from((low | high) & 0x1f)] as char
            })
            .collect()
    }

    /// Accepts `sha256-<base64>`, `sha256:<nix32|hex|base64>`, bare nix32 or hex.
    pub fn parse(text: &str) -> Result<Sha256, HashParseError> {
        let unrecognised = || HashParseError::Unrecognised(text.to_owned());
        if let Some(b64) = text.strip_prefix("sha256-") {
            return decode_base64(b64)
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .map(Sha256)
                .ok_or_else(|| length_or(text, b64.len(), 44, unrecognised()));
        }
        let body = text.strip_prefix("sha256:").unwrap_or(text);
        match body.len() {
            64 => decode_hex(body).map(Sha256).ok_or_else(unrecognised),
            52 => decode_nix32(body).map(Sha256).ok_or_else(unrecognised),
            44 if text.starts_with("sha256:") => decode_base64(body)
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .map(Sha256)
                .ok_or_else(unrecognised),
            found if text.starts_with("sha256:") => Err(HashParseError::Length {
                text: text.to_owned(),
                found,
                expected: 52,
            }),
            _ => Err(unrecognised()),
        }
    }
}

fn length_or(
    text: &str,
    found: usize,
    expected: usize,
    otherwise: HashParseError,
) -> HashParseError {
    if found == expected {
        otherwise
    } else {
        HashParseError::Length {
            text: text.to_owned(),
            found,
            expected,
        }
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sri())
    }
}

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in trimmed.bytes() {
        let value = BASE64.iter().position(|&b| b == c)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn decode_nix32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (n, c) in text.bytes().rev().enumerate() {
        let digit = NIX32.iter().position(|&b| b == c)? as u16;
        let b = n * 5;
        let i = b / 8;
        let j = b % 8;
        out[i] |= (digit << j) as u8;
        let carry = digit >> (8 - j);
        if i + 1 < 32 {
            out[i + 1] |= carry as u8;
        } else if carry != 0 {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // sha256 of the empty string.
    const EMPTY_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const EMPTY_SRI: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    const EMPTY_NIX32: &str = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";

    #[test]
    fn the_three_spellings_agree() {
        let hash = Sha256::parse(EMPTY_HEX).unwrap();
        assert_eq!(hash.sri(), EMPTY_SRI);
        assert_eq!(hash.nix32(), EMPTY_NIX32);
        assert_eq!(Sha256::parse(EMPTY_SRI).unwrap(), hash);
        assert_eq!(
            Sha256::parse(&format!("sha256:{EMPTY_NIX32}")).unwrap(),
            hash
        );
        assert_eq!(Sha256::parse(EMPTY_NIX32).unwrap(), hash);
    }

    #[test]
    fn malformed_hashes_are_refused() {
        assert!(matches!(
            Sha256::parse("sha256-AAAA"),
            Err(HashParseError::Length {
                found: 4,
                expected: 44,
                ..
            })
        ));
        assert!(matches!(
            Sha256::parse("sha256:abc"),
            Err(HashParseError::Length { .. })
        ));
        assert!(Sha256::parse("md5-xyz").is_err());
        assert!(
            Sha256::parse(&"e".repeat(52)).is_err(),
            "e is not a nix32 digit"
        );
    }
}
