//! Project templates for `goflake new` (the same directories the goflake flake exposes as
//! `templates.<name>` for `nix flake init -t`).

/// A project template: its files (the flake is generated, not copied) and its targets.
#[derive(Debug)]
pub struct Scaffold {
    pub name: &'static str,
    pub description: &'static str,
    /// The module path its go.mod declares, replaced by the user's.
    pub module: &'static str,
    pub files: &'static [(&'static str, &'static str)],
    /// `None`: the default targets.
    pub targets: Option<&'static [&'static str]>,
}

impl Scaffold {
    /// Its targets as `SpecOptions::targets` takes them (`None`: the default targets).
    pub fn spec_targets(&self) -> Option<Vec<goflake_gomod::Target>> {
        self.targets.map(|targets| {
            targets
                .iter()
                .map(|t| {
                    goflake_gomod::Target::parse(t).expect("scaffold targets are GOOS/GOARCH pairs")
                })
                .collect()
        })
    }
}

macro_rules! template_files {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../../templates/", $dir, "/", $file)))),*]
    };
}

pub const SCAFFOLDS: &[Scaffold] = &[
    Scaffold {
        name: "cli",
        description: "a command-line program",
        module: "example.com/cli",
        files: template_files!("cli": "go.mod", "main.go", "main_test.go", ".gitignore", "README.md"),
        targets: None,
    },
    Scaffold {
        name: "wasm",
        description: "a program for WebAssembly (js/wasm and wasip1/wasm)",
        module: "example.com/wasm",
        files: template_files!("wasm": "go.mod", "main.go", "main_test.go", ".gitignore", "README.md"),
        targets: Some(&["js/wasm", "wasip1/wasm"]),
    },
    Scaffold {
        name: "service",
        description: "an HTTP service",
        module: "example.com/service",
        files: template_files!("service": "go.mod", "main.go", "main_test.go", ".gitignore", "README.md"),
        targets: Some(&["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"]),
    },
];

pub fn scaffold(name: &str) -> Option<&'static Scaffold> {
    SCAFFOLDS.iter().find(|s| s.name == name)
}

/// The template's files for a project with module path `module` and name `name`.
pub fn files(scaffold: &Scaffold, module: &str, name: &str) -> Vec<(String, String)> {
    scaffold
        .files
        .iter()
        .map(|(path, text)| {
            let text = match *path {
                "go.mod" => text.replacen(scaffold.module, module, 1),
                "README.md" => {
                    text.replacen(&format!("# {}", scaffold.name), &format!("# {name}"), 1)
                }
                _ => (*text).to_owned(),
            };
            ((*path).to_owned(), text)
        })
        .collect()
}
