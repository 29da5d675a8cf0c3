//! A goflake flake as goflake reads it: the file, every binding indexed in one walk, and the
//! values goflake maintains looked up by name (`outputs.<name>`), with the naming contract of
//! `templates/flake.nix` beside it (`attr_for`). `update`, `targets`, and the CLI's build,
//! run, check and ci read flakes through it.

use goflake_gomod::Target;
use goflake_syntax::edit;
use goflake_syntax::{AttrPath, Binding, BindingIndex, Literal, SourceFile, TextEdit};

use crate::{GenError, MAINTAINED, strs};

#[derive(Debug, Clone)]
pub struct Flake {
    file: SourceFile,
    index: BindingIndex,
}

impl Flake {
    pub fn new(file: SourceFile) -> Flake {
        let index = BindingIndex::new(&file);
        Flake { file, index }
    }

    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// The binding of a maintained value (or any other name at the top of `outputs`).
    pub fn binding(&self, name: &str) -> Result<Binding, GenError> {
        let path: AttrPath = format!("outputs.{name}").parse()?;
        self.find(&path)
    }

    /// Any binding, by path (as `goflake_syntax::find`).
    pub fn find(&self, path: &AttrPath) -> Result<Binding, GenError> {
        Ok(self.index.find(&self.file, path)?)
    }

    /// The binding of the nixpkgs input's URL (`inputs.nixpkgs.url`).
    pub fn nixpkgs_url_binding(&self) -> Result<Binding, GenError> {
        self.find(&"inputs.nixpkgs.url".parse()?)
    }

    /// The nixpkgs URL the flake pins, when it is a string.
    pub fn nixpkgs_url(&self) -> Option<String> {
        match goflake_syntax::read_literal(&self.file, &self.nixpkgs_url_binding().ok()?) {
            Ok(Literal::String(url)) => Some(url),
            _ => None,
        }
    }

    /// The maintained values the flake does not bind: empty for a goflake flake.
    pub fn missing_values(&self) -> Vec<&'static str> {
        MAINTAINED
            .iter()
            .copied()
            .filter(|name| self.binding(name).is_err())
            .collect()
    }

    /// The string bound to `outputs.<name>`, when it is a literal.
    pub fn string(&self, name: &str) -> Option<String> {
        match goflake_syntax::read_literal(&self.file, &self.binding(name).ok()?) {
            Ok(Literal::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The string list bound to `outputs.<name>`.
    pub fn list(&self, name: &str) -> Result<Vec<String>, GenError> {
        match goflake_syntax::read_literal(&self.file, &self.binding(name)?)? {
            Literal::StringList(items) => Ok(items),
            _ => Err(GenError::Shape(format!(
                "`{name}` is not a list of strings"
            ))),
        }
    }

    /// The `targets` list, each a GOOS/GOARCH pair Go can build.
    pub fn targets(&self) -> Result<Vec<Target>, GenError> {
        self.list("targets")?
            .iter()
            .map(|t| crate::check_target(t))
            .collect()
    }

    /// The packages `unbuildable` leaves out of `target` (none when the flake has no such
    /// binding, as flakes from before it).
    pub fn unbuildable(&self, target: &Target) -> Vec<String> {
        let Ok(name) = goflake_syntax::string_literal(&target.to_string()) else {
            return Vec::new();
        };
        let Ok(path) = format!("outputs.unbuildable.{name}").parse::<AttrPath>() else {
            return Vec::new();
        };
        match self
            .find(&path)
            .map(|b| goflake_syntax::read_literal(&self.file, &b))
        {
            Ok(Ok(Literal::StringList(items))) => items,
            _ => Vec::new(),
        }
    }

    /// Edits that add targets to the `targets` list (already present ones are skipped).
    pub fn add_targets(&self, targets: &[Target]) -> Result<Vec<TextEdit>, GenError> {
        let mut current = self.list("targets")?;
        for target in targets {
            let spec = target.to_string();
            if !current.contains(&spec) {
                current.push(spec);
            }
        }
        self.set_targets(&current)
    }

    /// Edits that remove targets from the `targets` list; each must be in it.
    pub fn remove_targets(&self, targets: &[Target]) -> Result<Vec<TextEdit>, GenError> {
        let mut current = self.list("targets")?;
        for target in targets {
            let spec = target.to_string();
            if !current.contains(&spec) {
                return Err(GenError::Shape(format!(
                    "`{spec}` is not in the targets list"
                )));
            }
            current.retain(|t| *t != spec);
        }
        self.set_targets(&current)
    }

    fn set_targets(&self, targets: &[String]) -> Result<Vec<TextEdit>, GenError> {
        Ok(edit::set_list(
            &self.file,
            &self.binding("targets")?,
            &strs(targets),
        )?)
    }

    /// `pname`, or `app` when the flake has none as a literal.
    pub fn pname(&self) -> String {
        self.string("pname").unwrap_or_else(|| "app".into())
    }

    /// The package attribute the template gives `target`.
    pub fn attr_for(&self, target: &Target) -> String {
        crate::package_attr(&self.pname(), target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_as_a_goflake_flake() {
        let flake = Flake::new(SourceFile::parse("flake.nix", crate::FLAKE_TEMPLATE));
        assert_eq!(flake.missing_values(), Vec::<&str>::new());
        // `subPackages` is also an argument name further down: the maintained value is the
        // one at the top of `outputs`.
        assert_eq!(flake.list("subPackages").unwrap(), vec!["."]);
        let targets = flake.targets().unwrap();
        assert!(targets.contains(&Target::new("js", "wasm")));
        assert_eq!(
            flake.attr_for(&Target::new("windows", "arm64")),
            format!("{}-windows-arm64", flake.pname())
        );
    }

    #[test]
    fn a_flake_without_the_values_lists_what_it_lacks() {
        let flake = Flake::new(SourceFile::parse(
            "flake.nix",
            "{ outputs = { self }: let pname = \"x\"; in { }; }",
        ));
        let missing = flake.missing_values();
        assert!(!missing.contains(&"pname"));
        assert!(missing.contains(&"vendorHash") && missing.contains(&"targets"));
    }
}
