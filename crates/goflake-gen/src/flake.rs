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
        let names = self.list("targets")?;
        // The list's elements, in order, for the position of one that is no target.
        let elements: Vec<goflake_syntax::SyntaxNode> = self
            .binding("targets")?
            .value()
            .map(|list| list.children().collect())
            .unwrap_or_default();
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                crate::check_target(name).map_err(|_| GenError::UnknownTargetAt {
                    location: elements.get(i).map_or_else(
                        || self.file.name().to_owned(),
                        |node| self.file.location(node.text_range().start()),
                    ),
                    target: name.escape_default().to_string(),
                })
            })
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
    /// `leave_out` names, for a new target, the binaries it cannot build: they are recorded
    /// in `unbuildable` for that target, which a flake from before `unbuildable` lacks.
    pub fn add_targets(
        &self,
        targets: &[Target],
        leave_out: &[(Target, Vec<String>)],
    ) -> Result<Vec<TextEdit>, GenError> {
        let mut current = self.list("targets")?;
        for target in targets {
            let spec = target.to_string();
            if !current.contains(&spec) {
                current.push(spec);
            }
        }
        self.set_targets(&current, leave_out)
    }

    /// Edits that remove targets from the `targets` list, each of which must be in it, and
    /// their `unbuildable` entries.
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
        self.set_targets(&current, &[])
    }

    fn set_targets(
        &self,
        targets: &[String],
        leave_out: &[(Target, Vec<String>)],
    ) -> Result<Vec<TextEdit>, GenError> {
        let mut edits = edit::set_list(&self.file, &self.binding("targets")?, &strs(targets))?;
        // `unbuildable` keeps an entry for each listed target that leaves something out.
        let entries: Vec<(String, Vec<String>)> = targets
            .iter()
            .filter_map(|spec| {
                let target = Target::parse(spec)?;
                let mut dirs = self.unbuildable(&target);
                for (_, more) in leave_out.iter().filter(|(t, _)| *t == target) {
                    for dir in more {
                        if !dirs.contains(dir) {
                            dirs.push(dir.clone());
                        }
                    }
                }
                (!dirs.is_empty()).then(|| (spec.clone(), dirs))
            })
            .collect();
        let Ok(binding) = self.binding("unbuildable") else {
            if leave_out.iter().any(|(_, dirs)| !dirs.is_empty()) {
                return Err(GenError::Shape(
                    "the flake predates per-target exclusions (`unbuildable`): run `goflake init` to bring it up to date first".into(),
                ));
            }
            return Ok(edits);
        };
        edits.extend(self.set_unbuildable(&binding, &entries)?);
        Ok(edits)
    }

    /// The edits that make the `unbuildable` binding say `entries` (target → package
    /// directories); none when it already does, whatever its layout.
    pub(crate) fn set_unbuildable(
        &self,
        binding: &Binding,
        entries: &[(String, Vec<String>)],
    ) -> Result<Vec<TextEdit>, GenError> {
        let text = crate::unbuildable_expr(entries, self.file.line_ending());
        // Compared without layout: set_expr indents the text to the binding.
        let squeeze = |t: &str| t.split_whitespace().collect::<String>();
        if binding.value().map(|v| squeeze(&v.text().to_string())) == Some(squeeze(&text)) {
            return Ok(Vec::new());
        }
        Ok(edit::set_expr(&self.file, binding, &text)?)
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

    #[test]
    fn added_targets_record_what_they_leave_out_and_removed_ones_take_it_along() {
        let text = "{\n  outputs = { self }:\n    let\n      unbuildable = {\n        \"js/wasm\" = [ \"cmd/a\" ];\n      };\n      targets = [ \"linux/amd64\" \"js/wasm\" ];\n    in { };\n}\n";
        let flake = Flake::new(SourceFile::parse("flake.nix", text));
        let riscv = Target::new("linux", "riscv64");
        let edits = flake
            .add_targets(
                std::slice::from_ref(&riscv),
                &[(riscv.clone(), vec!["cmd/b".into()])],
            )
            .unwrap();
        let added = goflake_syntax::apply(flake.file(), edits).unwrap();
        assert!(
            added.text().contains(
                "      unbuildable = {\n        \"js/wasm\" = [ \"cmd/a\" ];\n        \"linux/riscv64\" = [ \"cmd/b\" ];\n      };\n"
            ),
            "{}",
            added.text()
        );
        let flake = Flake::new(added);
        let removed = flake
            .remove_targets(&[riscv, Target::new("js", "wasm")])
            .unwrap();
        let removed = goflake_syntax::apply(flake.file(), removed).unwrap();
        assert!(
            removed.text().contains("unbuildable = { };") && !removed.text().contains("cmd/"),
            "{}",
            removed.text()
        );
        // A flake from before `unbuildable` cannot leave a binary out of one target.
        let old = Flake::new(SourceFile::parse(
            "flake.nix",
            "{ outputs = { self }: let targets = [ ]; in { }; }",
        ));
        let target = Target::new("linux", "arm64");
        assert!(old.add_targets(std::slice::from_ref(&target), &[]).is_ok());
        assert!(
            old.add_targets(
                std::slice::from_ref(&target),
                &[(target.clone(), vec!["x".into()])]
            )
            .is_err()
        );
    }
}
