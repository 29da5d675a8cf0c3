//! The fuzz property (parse → edit → re-parse) on stable: over the crash inputs cargo-fuzz
//! found (kept in `tests/fixtures/fuzz/`), over every edit of every binding of every Nix
//! fixture, and over random mutations of the fixtures.

use goflake_syntax::fuzz::{parse_edit_reparse, parse_edit_reparse_bytes};
use proptest::prelude::*;

fn dir(name: &str) -> Vec<std::path::PathBuf> {
    let dir = goflake_testkit::workspace_root()
        .join("tests/fixtures")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn nix_fixtures() -> Vec<String> {
    dir("nix")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "nix"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn saved_crash_inputs_no_longer_crash() {
    let inputs = dir("fuzz");
    assert!(
        !inputs.is_empty(),
        "tests/fixtures/fuzz holds the fuzzer's crash inputs"
    );
    for input in inputs {
        parse_edit_reparse_bytes(&std::fs::read(&input).unwrap());
    }
}

#[test]
fn every_edit_of_every_fixture_binding() {
    for text in nix_fixtures() {
        let count = goflake_syntax::bindings(&goflake_syntax::SourceFile::parse("f", &*text)).len();
        for binding in 0..count {
            for op in 0..6 {
                for payload in ["", "x", "a\nb${c}\n", "''"] {
                    parse_edit_reparse(&text, binding, op, payload);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        cut in 0usize..8,
        insert in prop::sample::select(vec!["", "{", "}", ";", "\"", "''", "#", "/*", "\n", "=", "[", "]", "in", "let "]),
        binding in 0usize..64,
        op in 0usize..6,
    ) {
        let fixtures = nix_fixtures();
        let text = which.get(&fixtures);
        let mut position = at.index(text.len() + 1);
        while !text.is_char_boundary(position) {
            position -= 1;
        }
        let mut end = (position + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mutated = format!("{}{}{}", &text[..position], insert, &text[end..]);
        parse_edit_reparse(&mutated, binding, op, "v");
    }
}
