//! `goflake get` and `goflake set`.

use std::os::unix::fs::PermissionsExt;

use goflake_syntax::{Literal, SourceFile, bindings, find, read_literal};

use crate::support::{copy_fixture, fixture, goflake, s, stderr, stdout};

#[test]
fn help_and_version() {
    let help = goflake(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("get"));
    assert!(stdout(&help).contains("set"));
    let version = goflake(&["--version"]);
    assert_eq!(
        stdout(&version).trim(),
        format!("goflake {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn get_prints_strings_lists_and_json() {
    let flake = fixture("flake-utils-each-system.nix");
    let url = goflake(&["get", s(&flake), "inputs.nixpkgs.url"]);
    assert!(url.status.success(), "{}", stderr(&url));
    assert_eq!(stdout(&url), "github:NixOS/nixpkgs/nixos-25.11\n");

    let ldflags = goflake(&["get", s(&flake), "ldflags"]);
    assert_eq!(stdout(&ldflags), "-s\n-w\n");
    let json = goflake(&["get", "--json", s(&flake), "ldflags"]);
    assert_eq!(stdout(&json), "[\"-s\",\"-w\"]\n");

    let null = goflake(&[
        "get",
        "--json",
        s(&fixture("package-finalattrs.nix")),
        "vendorHash",
    ]);
    assert_eq!(stdout(&null), "null\n");

    let hook = goflake(&[
        "get",
        "--json",
        s(&fixture("indented-strings.nix")),
        "shellHook",
    ]);
    assert_eq!(
        stdout(&hook),
        "\"echo \\\"entering ${PWD}\\\"\\nif [ -n \\\"$IN_NIX_SHELL\\\" ]; then\\n  export PS1=\\\"(go) $PS1\\\"\\nfi\\necho ''quoted''\\n\"\n"
    );
}

/// `get` answers for every literal binding of every fixture, and agrees with the library.
#[test]
fn get_works_on_every_fixture() {
    let dir = goflake_testkit::workspace_root().join("tests/fixtures/nix");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "nix") {
            continue;
        }
        let file = SourceFile::parse("f", std::fs::read_to_string(&path).unwrap());
        if file.has_errors() {
            let out = goflake(&["get", s(&path), "pname"]);
            assert_eq!(out.status.code(), Some(2), "{}", path.display());
            continue;
        }
        for binding in bindings(&file) {
            let query = binding.path().to_string();
            let Ok(found) = find(&file, &binding.path()) else {
                continue; // ambiguous spellings are covered elsewhere
            };
            let out = goflake(&["get", "--json", s(&path), &query]);
            match read_literal(&file, &found) {
                Ok(literal) => {
                    assert!(out.status.success(), "{query}: {}", stderr(&out));
                    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    let expected = match literal {
                        Literal::String(s) => serde_json::json!(s),
                        Literal::StringList(l) => serde_json::json!(l),
                        Literal::Null => serde_json::Value::Null,
                        Literal::Bool(b) => serde_json::json!(b),
                        Literal::Int(i) => serde_json::json!(i),
                    };
                    assert_eq!(json, expected, "{} {query}", path.display());
                    checked += 1;
                }
                Err(_) => {
                    assert_eq!(out.status.code(), Some(1), "{query}");
                    assert!(stderr(&out).contains("not a literal"), "{}", stderr(&out));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} literals checked");
}

#[test]
fn set_changes_only_the_value_and_keeps_permissions() {
    let (_dir, path) = copy_fixture("comments-everywhere.nix");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    let out = goflake(&["set", s(&path), "version", "2.0.0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, before.replace("\"1.0.0\"", "\"2.0.0\""));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn set_list_and_expr() {
    let (_dir, path) = copy_fixture("package-plain.nix");
    let out = goflake(&[
        "set",
        "--list",
        s(&path),
        "subPackages",
        "cmd/widget",
        "cmd/w2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let get = goflake(&["get", "--json", s(&path), "subPackages"]);
    assert_eq!(stdout(&get), "[\"cmd/widget\",\"cmd/w2\"]\n");

    let out = goflake(&["set", "--expr", s(&path), "vendorHash", "null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("  vendorHash = null;\n")
    );

    let bad = goflake(&["set", "--expr", s(&path), "vendorHash", "{ a = ; }"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("not a valid Nix expression"),
        "{}",
        stderr(&bad)
    );
    assert!(
        stderr(&bad).contains("<expression>:1:7"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn diff_and_check_do_not_write() {
    let (_dir, path) = copy_fixture("crlf.nix");
    let before = std::fs::read(&path).unwrap();
    let diff = goflake(&["set", "--diff", s(&path), "description", "new"]);
    assert!(diff.status.success());
    let text = stdout(&diff);
    assert!(
        text.contains("-  description = \"CRLF line endings\";\r\n"),
        "{text}"
    );
    assert!(text.contains("+  description = \"new\";\r\n"), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let check = goflake(&["set", "--check", s(&path), "description", "new"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("would change"));
    let same = goflake(&[
        "set",
        "--check",
        s(&path),
        "description",
        "CRLF line endings",
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_that_does_not_parse_is_never_written() {
    let (_dir, path) = copy_fixture("broken-missing-semicolon.nix");
    let before = std::fs::read(&path).unwrap();
    let out = goflake(&["set", s(&path), "pname", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("broken-missing-semicolon.nix:4:14: unexpected `=`, expected `;`"),
        "{err}"
    );
    assert!(
        err.contains("4 |   vendorHash = null;\n  |              ^"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_missing_path_suggests_close_ones() {
    let out = goflake(&["set", s(&fixture("package-plain.nix")), "vendorhash", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("closest existing paths:\n  vendorHash\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ambiguity_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.nix");
    std::fs::write(
        &path,
        "{\n  a.vendorHash = null;\n  b.vendorHash = null;\n}\n",
    )
    .unwrap();
    let out = goflake(&["get", s(&path), "vendorHash"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("two.nix:2:3 (`a.vendorHash`) and at "),
        "{err}"
    );
    assert!(err.contains("two.nix:3:3 (`b.vendorHash`)"), "{err}");
}

#[test]
fn set_through_a_symlink_keeps_the_link() {
    let (dir, path) = copy_fixture("package-finalattrs.nix");
    let link = dir.path().join("link.nix");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let out = goflake(&["set", s(&link), "version", "1.0.0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(link.is_symlink());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("version = \"1.0.0\";")
    );
}

/// Every string binding of every fixture can be set to an awkward value, read back exactly,
/// and the result parses with real Nix.
#[test]
fn set_then_get_on_every_fixture() {
    let nix =
        goflake_testkit::require_tool("cli::set_then_get_on_every_fixture", "nix-instantiate");
    let value = "naïve ${x} \"q\" \\ $";
    let dir = goflake_testkit::workspace_root().join("tests/fixtures/nix");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = entry.unwrap().path();
        if source.extension().is_none_or(|e| e != "nix") {
            continue;
        }
        let file = SourceFile::parse("f", std::fs::read_to_string(&source).unwrap());
        if file.has_errors() {
            continue;
        }
        for binding in bindings(&file) {
            let Ok(found) = find(&file, &binding.path()) else {
                continue;
            };
            if !matches!(read_literal(&file, &found), Ok(Literal::String(_))) {
                continue;
            }
            let (_tmp, path) = copy_fixture(source.file_name().unwrap().to_str().unwrap());
            let query = binding.path().to_string();
            let out = goflake(&["set", s(&path), &query, value]);
            assert!(out.status.success(), "{query}: {}", stderr(&out));
            let get = goflake(&["get", s(&path), &query]);
            assert_eq!(stdout(&get), format!("{value}\n"), "{}", source.display());
            if let Some(nix) = &nix {
                goflake_testkit::assert_nix_parses(nix, &path, &query);
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} bindings checked");
}

/// goflake's own flake parses with real Nix and names the binary it builds.
#[test]
fn the_project_flake_parses() {
    let flake = goflake_testkit::workspace_root().join("flake.nix");
    let pname = goflake(&["get", s(&flake), "pname"]);
    assert_eq!(stdout(&pname), "goflake\n", "{}", stderr(&pname));
    let Some(nix) =
        goflake_testkit::require_tool("cli::the_project_flake_parses", "nix-instantiate")
    else {
        return;
    };
    goflake_testkit::assert_nix_parses(&nix, &flake, "goflake's flake.nix");
}

#[test]
fn vendor_hash_writes_a_function_argument_default() {
    if goflake_testkit::require_tool("edit::vendor_hash_writes_a_function_argument_default", "go")
        .is_none()
    {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let package = dir.join("package.nix");
    std::fs::write(
        &package,
        "{\n  buildGoModule,\n  vendorHash ? \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\n}:\nbuildGoModule {\n  pname = \"hello\";\n  version = \"1.0\";\n  src = ./.;\n  inherit vendorHash;\n}\n",
    )
    .unwrap();
    let out = goflake(&[
        "vendor-hash",
        "--write",
        "--method",
        "local",
        "--file",
        s(&package),
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&package).unwrap();
    assert!(
        text.contains("  vendorHash ? null, # goflake: vendor fingerprint "),
        "{text}"
    );
    assert!(text.contains("  inherit vendorHash;\n"), "{text}");
}

#[test]
fn maintained_values_of_a_generated_flake_answer_to_their_plain_names() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let init = goflake(&["init", "--no-verify-targets", s(&dir)]);
    assert!(init.status.success(), "{}", stderr(&init));
    let flake = dir.join("flake.nix");
    // The template also binds subPackages inside its cross function: the maintained value
    // at the top of `outputs` is the one a user means.
    let out = goflake(&["get", s(&flake), "subPackages"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), ".\n");
    let out = goflake(&["set", "--list", s(&flake), "subPackages", ".", "cmd/extra"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&flake).unwrap();
    assert!(
        text.contains("      subPackages = [ \".\" \"cmd/extra\" ];\n"),
        "{text}"
    );
    // Elsewhere an ambiguity is still an error naming each path.
    let (_temp, file) = copy_fixture("function-defaults.nix");
    let out = goflake(&["get", s(&file), "pname"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(`cli.pname`)") && stderr(&out).contains("(`server.pname`)"),
        "{}",
        stderr(&out)
    );
}
