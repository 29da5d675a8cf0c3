//! Random strings → Nix literals → real `nix-instantiate --eval --strict` gives the same
//! strings back. Skipped (and said so) when `nix-instantiate` is not on PATH.

use std::path::Path;

use goflake_syntax::{best_string_literal, string_literal};
use proptest::prelude::*;

/// Characters that are special to one of the two literal forms, plus anything else.
fn awkward_string() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "\\", "\"", "$", "{", "}", "${", "$${", "''", "'", "'''", "\n", "\r", "\t", " ", "  ",
        "\u{1}", "\u{7f}", "é", "日本", "🚀", "\u{feff}",
    ]);
    let piece = prop_oneof![
        special.prop_map(str::to_owned),
        "[^\u{0}]{1,4}",
        "[a-z]{1,6}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn eval(nix_instantiate: &Path, literals: &[String]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("strings.nix");
    std::fs::write(&file, format!("[\n{}\n]\n", literals.join("\n"))).unwrap();
    let output = goflake_testkit::nix_command(nix_instantiate)
        .args(["--eval", "--strict", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nix-instantiate failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn nix_evaluates_generated_literals_to_the_original_strings() {
    let Some(nix) = goflake_testkit::require_tool(
        "nix_eval::nix_evaluates_generated_literals_to_the_original_strings",
        "nix-instantiate",
    ) else {
        return;
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    let batch = prop::collection::vec(awkward_string(), 1..40);
    runner
        .run(&batch, |strings| {
            let mut literals = Vec::new();
            for s in &strings {
                literals.push(string_literal(s).unwrap());
                literals.push(best_string_literal(s, "  ", "\n").unwrap());
            }
            let values = eval(&nix, &literals);
            for (i, s) in strings.iter().enumerate() {
                prop_assert_eq!(&values[2 * i], s, "literal {}", &literals[2 * i]);
                prop_assert_eq!(&values[2 * i + 1], s, "literal {}", &literals[2 * i + 1]);
            }
            Ok(())
        })
        .unwrap();
}
