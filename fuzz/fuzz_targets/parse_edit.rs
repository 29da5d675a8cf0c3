#![no_main]
//! parse → one random edit → re-parse; see `goflake_syntax::fuzz::parse_edit_reparse_bytes`
//! for how the input is split.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    goflake_syntax::fuzz::parse_edit_reparse_bytes(data);
});
