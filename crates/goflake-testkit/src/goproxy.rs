//! A local Go module proxy: modules written in the exact `GOPROXY=file://` layout
//! (`<path>/@v/list`, `.info`, `.mod`, `.zip` with the `module@version/` prefix), so `go`
//! on the host and the fixed-output derivations inside Nix both download offline.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::zip::stored_zip;

/// One module version and its files (relative paths; `go.mod` included).
#[derive(Debug, Clone)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub files: Vec<(String, String)>,
}

impl Module {
    pub fn new(path: &str, version: &str, files: &[(&str, &str)]) -> Module {
        Module {
            path: path.to_owned(),
            version: version.to_owned(),
            files: files
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    fn go_mod(&self) -> String {
        self.files
            .iter()
            .find(|(name, _)| name == "go.mod")
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| format!("module {}\n", self.path))
    }
}

/// Go's case encoding of module paths in proxy URLs: `A` → `!a`.
pub fn escape_path(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A directory holding a module proxy.
#[derive(Debug, Clone)]
pub struct GoProxy {
    pub dir: PathBuf,
}

impl GoProxy {
    /// Writes `modules` under `dir`.
    pub fn write(dir: &Path, modules: &[Module]) -> io::Result<GoProxy> {
        for module in modules {
            let versions = dir.join(escape_path(&module.path)).join("@v");
            std::fs::create_dir_all(&versions)?;
            let version = &module.version;
            let list = versions.join("list");
            let mut listed = std::fs::read_to_string(&list).unwrap_or_default();
            if !listed.lines().any(|v| v == version) {
                listed.push_str(&format!("{version}\n"));
                std::fs::write(&list, listed)?;
            }
            std::fs::write(
                versions.join(format!("{version}.info")),
                format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
            )?;
            std::fs::write(versions.join(format!("{version}.mod")), module.go_mod())?;
            let prefix = format!("{}@{}/", module.path, version);
            let mut files: Vec<(String, Vec<u8>)> = module
                .files
                .iter()
                .map(|(name, text)| (format!("{prefix}{name}"), text.as_bytes().to_vec()))
                .collect();
            files.sort();
            std::fs::write(versions.join(format!("{version}.zip")), stored_zip(&files))?;
        }
        Ok(GoProxy {
            dir: dir.to_path_buf(),
        })
    }

    /// The proxy with [`fixture_modules`].
    pub fn with_fixture_modules(dir: &Path) -> io::Result<GoProxy> {
        GoProxy::write(dir, &fixture_modules())
    }

    pub fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }

    /// A `go` command that downloads from this proxy only, with its own module cache and no
    /// checksum database (the fixture modules are unknown to it).
    pub fn go(&self, go: &Path, cache: &Path) -> Command {
        let mut command = crate::command(go);
        command
            .env("GOPROXY", self.url())
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOMODCACHE", cache.join("mod"))
            .env("GOCACHE", cache.join("build"));
        command
    }
}

const LICENSE: &str = "Permission is hereby granted, free of charge, to the tests.\n";

/// The fixture modules: transitive dependencies, a LICENSE in a parent directory, an
/// embedded file, a `/v2` module, `_test.go` and `//go:build ignore` files, a fork used
/// through `replace`, a module that builds only with cgo, and one with no wasm implementation.
pub fn fixture_modules() -> Vec<Module> {
    let words = |path: &str, version: &str, list: &str| {
        Module::new(
            path,
            version,
            &[
                ("go.mod", "module example.com/words\n\ngo 1.21\n"),
                ("LICENSE", LICENSE),
                (
                    "words.go",
                    "// Package words serves embedded words.\npackage words\n\nimport (\n\t_ \"embed\"\n\t\"strings\"\n)\n\n//go:embed words.txt\nvar list string\n\n// First is the first word.\nfunc First() string { return strings.Fields(list)[0] }\n",
                ),
                ("words.txt", list),
                (
                    "words_test.go",
                    "package words\n\nimport \"testing\"\n\nfunc TestFirst(t *testing.T) {\n\tif First() == \"\" {\n\t\tt.Fatal(\"empty\")\n\t}\n}\n",
                ),
                (
                    "gen.go",
                    "//go:build ignore\n\n// Regenerates words.txt.\npackage main\n\nfunc main() {}\n",
                ),
            ],
        )
    };
    vec![
        words("example.com/words", "v1.2.0", "hello\nworld\n"),
        // A fork: its go.mod keeps the original path, as forks used with `replace` do.
        words("example.com/wordsfork", "v1.2.1", "hola\nmundo\n"),
        Module::new(
            "example.com/greet",
            "v1.0.0",
            &[
                (
                    "go.mod",
                    "module example.com/greet\n\ngo 1.21\n\nrequire example.com/words v1.2.0\n",
                ),
                ("LICENSE", LICENSE),
                (
                    "pkg/hello/hello.go",
                    "// Package hello greets.\npackage hello\n\nimport \"example.com/words\"\n\n// Hello greets with the first word.\nfunc Hello() string { return \"greetings, \" + words.First() }\n",
                ),
                (
                    "pkg/hello/hello_test.go",
                    "package hello\n\nimport \"testing\"\n\nfunc TestHello(t *testing.T) { _ = Hello() }\n",
                ),
            ],
        ),
        // Builds only with cgo: a dependency that makes its importers native-only.
        Module::new(
            "example.com/cgodep",
            "v0.1.0",
            &[
                ("go.mod", "module example.com/cgodep\n\ngo 1.21\n"),
                (
                    "cgodep.go",
                    "// Package cgodep needs a C compiler.\npackage cgodep\n\n// static int seven(void) { return 7; }\nimport \"C\"\n\n// Seven comes from C.\nfunc Seven() int { return int(C.seven()) }\n",
                ),
            ],
        ),
        // Per-OS files and no wasm implementation, as atotto/clipboard: its importers cannot
        // compile for js/wasm or wasip1/wasm.
        Module::new(
            "example.com/clipboard",
            "v0.1.0",
            &[
                ("go.mod", "module example.com/clipboard\n\ngo 1.21\n"),
                ("LICENSE", LICENSE),
                (
                    "clipboard.go",
                    "// Package clipboard reads the system clipboard.\npackage clipboard\n\n// ReadAll returns the clipboard's text.\nfunc ReadAll() (string, error) {\n\treturn readAll()\n}\n",
                ),
                (
                    "clipboard_unix.go",
                    "//go:build unix\n\npackage clipboard\n\nfunc readAll() (string, error) { return \"unix clipboard\", nil }\n",
                ),
                (
                    "clipboard_windows.go",
                    "package clipboard\n\nfunc readAll() (string, error) { return \"windows clipboard\", nil }\n",
                ),
            ],
        ),
        // Not used by the fixture projects until a test adds it (a dependency bump).
        Module::new(
            "example.com/extra",
            "v0.1.0",
            &[
                ("go.mod", "module example.com/extra\n\ngo 1.21\n"),
                (
                    "extra.go",
                    "// Package extra is added by tests as a new dependency.\npackage extra\n\n// Bang adds emphasis.\nfunc Bang(s string) string { return s + \"!!\" }\n",
                ),
            ],
        ),
        Module::new(
            "example.com/shout/v2",
            "v2.1.0",
            &[
                ("go.mod", "module example.com/shout/v2\n\ngo 1.21\n"),
                ("LICENSE", LICENSE),
                (
                    "shout.go",
                    "// Package shout raises its voice.\npackage shout\n\nimport \"strings\"\n\n// Shout upper-cases and exclaims.\nfunc Shout(s string) string { return strings.ToUpper(s) + \"!\" }\n",
                ),
            ],
        ),
    ]
}
