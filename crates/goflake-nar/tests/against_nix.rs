//! Random trees, NAR-hashed by goflake and by real Nix (`nix hash path`, `nix-store --dump`):
//! they must agree byte for byte. Skipped (and said so) without Nix.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use goflake_testkit::{nix_command, require_tool};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Node {
    File {
        size: usize,
        executable: bool,
        seed: u8,
    },
    Symlink(String),
    Dir(Vec<(String, Node)>),
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        "[A-Za-z0-9._-]{1,12}",
        Just("ünïcödé".to_owned()),
        Just("日本語".to_owned()),
        Just("B".to_owned()),
        Just("a".to_owned()),
        Just("-dash".to_owned()),
    ]
    .prop_filter("not . or ..", |n| n != "." && n != "..")
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        6 => (prop_oneof![Just(0usize), 0usize..200, Just(4096), Just(3 * (1 << 20) + 7)], any::<bool>(), any::<u8>())
            .prop_map(|(size, executable, seed)| Node::File { size, executable, seed }),
        1 => "[a-z/.]{1,20}".prop_map(Node::Symlink),
        1 => Just(Node::Dir(Vec::new())),
    ];
    leaf.prop_recursive(5, 40, 6, |inner| {
        prop::collection::btree_map(name(), inner, 0..6)
            .prop_map(|entries| Node::Dir(entries.into_iter().collect()))
    })
}

fn create(path: &Path, node: &Node) {
    match node {
        Node::File {
            size,
            executable,
            seed,
        } => {
            let data: Vec<u8> = (0..*size)
                .map(|i| (i as u8).wrapping_mul(31).wrapping_add(*seed))
                .collect();
            std::fs::write(path, data).unwrap();
            let mode = if *executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        Node::Symlink(target) => std::os::unix::fs::symlink(target, path).unwrap(),
        Node::Dir(entries) => {
            std::fs::create_dir(path).unwrap();
            for (name, child) in entries {
                create(&path.join(name), child);
            }
        }
    }
}

#[test]
fn random_trees_hash_like_nix() {
    let Some(nix) = require_tool("against_nix::random_trees_hash_like_nix", "nix") else {
        return;
    };
    let nix_store = require_tool("against_nix::random_trees_hash_like_nix", "nix-store").unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 40,
        ..ProptestConfig::default()
    });
    runner
        .run(&node(), |tree| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("root");
            create(&root, &tree);
            let ours = goflake_nar::nar_hash(&root).unwrap();
            let output = nix_command(&nix)
                .args(["hash", "path"])
                .arg(&root)
                .output()
                .unwrap();
            prop_assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let theirs = String::from_utf8(output.stdout).unwrap();
            prop_assert_eq!(ours.sri(), theirs.trim());

            let mut nar = Vec::new();
            goflake_nar::write_nar(&root, &mut nar).unwrap();
            let dump = nix_command(&nix_store)
                .arg("--dump")
                .arg(&root)
                .output()
                .unwrap();
            prop_assert!(dump.status.success());
            prop_assert!(
                nar == dump.stdout,
                "the NAR bytes differ from nix-store --dump"
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn nix32_and_hex_match_nix() {
    let Some(nix) = require_tool("against_nix::nix32_and_hex_match_nix", "nix") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"goflake").unwrap();
    let ours = goflake_nar::nar_hash(dir.path()).unwrap();
    for (flag, expected) in [("--base32", ours.nix32()), ("--base16", ours.hex())] {
        let output = nix_command(&nix)
            .args(["hash", "path", "--type", "sha256", flag])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), expected);
    }
}
