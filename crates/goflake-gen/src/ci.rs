//! CI workflows for a goflake flake: GitHub Actions (check, build matrix, release, the
//! vendorHash bot for dependency pull requests) and GitLab CI. Text in, text out.
use goflake_gomod::Target;

/// An action and the commit its tag pointed to, as a maintained project's pin table records it.
pub struct Action {
    pub name: &'static str,
    pub tag: &'static str,
    pub sha: &'static str,
}

pub const CHECKOUT: Action = Action {
    name: "actions/checkout",
    tag: "v6.0.2",
    sha: "de0fac2e4500dabe0009e67214ff5f5447ce83dd",
};
pub const UPLOAD_ARTIFACT: Action = Action {
    name: "actions/upload-artifact",
    tag: "v7.0.0",
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
};
pub const INSTALL_NIX: Action = Action {
    name: "cachix/install-nix-action",
    tag: "v31.10.2",
    sha: "51f3067b56fe8ae331890c77d4e454f6d60615ff",
};
pub const CACHIX: Action = Action {
    name: "cachix/cachix-action",
    tag: "v17",
    sha: "1eb2ef646ac0255473d23a5907ad7b04ce94065c",
};
/// The default binary cache: a local Nix binary cache directory kept in the GitHub Actions
/// cache between runs (`nix copy` fills it, Nix substitutes from it).
pub const CACHE: Action = Action {
    name: "actions/cache",
    tag: "v5.0.4",
    sha: "668228422ae6a00e4ad889ee87cd7109ec5666a7",
};

/// What the workflows are generated from.
#[derive(Debug, Clone)]
pub struct CiSpec {
    pub pname: String,
    pub targets: Vec<Target>,
    pub cachix: Option<String>,
    pub pin_actions: bool,
    pub single_job: bool,
    /// The flake CI runs goflake from, pinned by commit and narHash (see [`pinned_ref_ok`]):
    /// `github:goflake/goflake/<rev>?narHash=sha256-…`.
    pub goflake: String,
    /// Directories (relative to the repository) holding go.mod: the bot's path filter.
    pub module_dirs: Vec<String>,
}

/// The flake reference of the goflake that runs, when its build recorded one (goflake's
/// own flake.nix sets it from `self.rev` and `self.narHash`; a build from a dirty tree or by
/// cargo has none).
pub const BUILT_FROM: Option<&str> = option_env!("GOFLAKE_FLAKE_REF");

/// Whether `flake_ref` pins goflake as CI must run it: a GitHub flake at a full commit with
/// the narHash of its tree, so neither a moved tag nor a changed archive changes what runs.
pub fn pinned_ref_ok(flake_ref: &str) -> bool {
    let Some(rest) = flake_ref.strip_prefix("github:") else {
        return false;
    };
    let Some((path, query)) = rest.split_once("?narHash=") else {
        return false;
    };
    let parts: Vec<&str> = path.split('/').collect();
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let hash = query.strip_prefix("sha256-").unwrap_or("");
    parts.len() == 3
        && name_ok(parts[0])
        && name_ok(parts[1])
        && parts[2].len() == 40
        && parts[2]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && hash.len() == 44
        && hash.ends_with('=')
        && hash[..43]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/'))
}

/// A value that cannot be spliced into a workflow or a script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{}` cannot be used in CI files: {rule}", .value.escape_default())]
pub struct CiValueError {
    pub what: &'static str,
    pub value: String,
    pub rule: &'static str,
}

impl CiSpec {
    /// Checks every project-derived value against the rules of where it goes (Nix attribute
    /// names, Cachix cache names, GOOS/GOARCH pairs, repository paths), so nothing from the
    /// project can become YAML keys or shell commands.
    pub fn validate(&self) -> Result<(), CiValueError> {
        if !crate::pname_ok(&self.pname) {
            return Err(CiValueError {
                what: "pname",
                value: self.pname.clone(),
                rule: crate::PNAME_RULE,
            });
        }
        if !pinned_ref_ok(&self.goflake) {
            return Err(CiValueError {
                what: "goflake flake reference",
                value: self.goflake.clone(),
                rule: "github:OWNER/REPO/<40-hex commit>?narHash=sha256-… (a pin, never a tag or a branch)",
            });
        }
        for target in &self.targets {
            if !target.is_known() {
                return Err(CiValueError {
                    what: "target",
                    value: target.to_string(),
                    rule: "a GOOS/GOARCH pair of `go tool dist list`",
                });
            }
        }
        if let Some(name) = &self.cachix
            && !(name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric()))
        {
            return Err(CiValueError {
                what: "Cachix cache name",
                value: name.clone(),
                rule: "lower-case letters, digits and `-`",
            });
        }
        for dir in &self.module_dirs {
            if dir.split('/').any(|e| {
                e.is_empty()
                    || e == ".."
                    || !e
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            }) && dir != "."
            {
                return Err(CiValueError {
                    what: "module directory",
                    value: dir.clone(),
                    rule: "a relative path of letters, digits, `-`, `.` and `_`",
                });
            }
        }
        Ok(())
    }
}

/// A generated file: its path relative to the repository root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiFile {
    pub path: String,
    pub text: String,
}

/// The first line of every generated file; the checksum tells an untouched file (safe to
/// regenerate) from one the user changed.
pub const HEADER_PREFIX: &str = "# Generated by `goflake ci`";

pub fn checksum(body: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn with_header(body: String) -> String {
    format!(
        "{HEADER_PREFIX} (checksum {}); re-run it after `goflake targets add/remove`.\n{body}",
        checksum(&body)
    )
}

/// Who wrote a CI file that is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// goflake, and nobody edited it since: safe to regenerate.
    Untouched,
    /// goflake, then someone edited it.
    Edited,
    /// Not goflake (no header of its own): written by hand or by another tool.
    Foreign,
}

/// Who wrote `text` (by its first line, [`HEADER_PREFIX`] and its checksum).
pub fn provenance(text: &str) -> Provenance {
    let (first, body) = text.split_once('\n').unwrap_or((text, ""));
    if !first.starts_with(HEADER_PREFIX) {
        Provenance::Foreign
    } else if first.contains(&format!("(checksum {})", checksum(body))) {
        Provenance::Untouched
    } else {
        Provenance::Edited
    }
}

fn uses(action: &Action, pin: bool) -> String {
    if pin {
        format!("{}@{} # {}", action.name, action.sha, action.tag)
    } else {
        format!("{}@{}", action.name, action.tag)
    }
}

impl CiSpec {
    fn attr(&self, target: &Target) -> String {
        crate::package_attr(&self.pname, target)
    }

    fn checkout(&self, indent: &str) -> String {
        format!(
            "{indent}- uses: {}\n{indent}  with:\n{indent}    persist-credentials: false\n",
            uses(&CHECKOUT, self.pin_actions)
        )
    }

    /// The steps that give a job Nix and the binary cache. The cache key changes with the
    /// sources, so a cache never outlives the code it was built from; jobs of a pull request
    /// can only write caches of its own ref (GitHub scopes them), never the default branch's.
    fn nix_steps(&self) -> String {
        let checkout = self.checkout("      ");
        match &self.cachix {
            Some(name) => format!(
                "{checkout}      - uses: {}\n      - uses: {}\n        with:\n          name: {name}\n          authToken: ${{{{ secrets.CACHIX_AUTH_TOKEN }}}}\n",
                uses(&INSTALL_NIX, self.pin_actions),
                uses(&CACHIX, self.pin_actions)
            ),
            None => format!(
                "{checkout}      - uses: {}\n        with:\n          path: ${{{{ runner.temp }}}}/nix-cache\n          key: nix-${{{{ runner.os }}}}-${{{{ github.job }}}}-${{{{ strategy.job-index }}}}-${{{{ hashFiles('flake.nix', 'flake.lock', '**/go.mod', '**/go.sum', '**/*.go') }}}}\n          restore-keys: nix-${{{{ runner.os }}}}-${{{{ github.job }}}}-${{{{ strategy.job-index }}}}-\n      - run: mkdir -p \"$RUNNER_TEMP/nix-cache\"\n      - uses: {}\n        with:\n          extra_nix_config: |\n            extra-substituters = file://${{{{ runner.temp }}}}/nix-cache?trusted=1\n",
                uses(&CACHE, self.pin_actions),
                uses(&INSTALL_NIX, self.pin_actions)
            ),
        }
    }

    /// The job's environment: with Cachix, `cachix`, the GitHub environment that holds
    /// CACHIX_AUTH_TOKEN (a secret that can push to the cache stays out of the repository's
    /// shared secrets, and its deployment rules decide which branches may push).
    fn environment(&self) -> &'static str {
        match self.cachix {
            Some(_) => "    environment: cachix\n",
            None => "",
        }
    }

    /// Keeps what a job built in the cache directory (Cachix pushes by itself).
    fn save_step(&self) -> String {
        match self.cachix {
            Some(_) => String::new(),
            None => "      - name: keep the build in the cache\n        run: nix copy --to \"file://$RUNNER_TEMP/nix-cache\" ./result\n".to_owned(),
        }
    }

    /// Triggers of check and build: pushes, pull requests, and dispatches (the vendorHash
    /// bot runs them on the head it fixed, which its own push cannot trigger).
    const TRIGGERS: &'static str = "on:\n  push:\n  pull_request:\n  workflow_dispatch:\n\npermissions:\n  contents: read\n\nconcurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: true\n";

    fn check(&self) -> String {
        with_header(format!(
            "name: check\n\n{}\njobs:\n  check:\n    name: check\n    runs-on: ubuntu-latest\n{}    steps:\n{}      - name: vendorHash is up to date\n        run: {} vendor-hash --check --method nix --pure\n      - name: the native build with its tests\n        run: nix build -L .#default\n      - name: every output of every system evaluates (the build workflow builds the targets)\n        run: nix flake check -L --no-build\n{}",
            Self::TRIGGERS,
            self.environment(),
            self.nix_steps(),
            self.goflake_command(),
            self.save_step()
        ))
    }

    /// `nix run '<pinned ref>' --`: goflake as every job runs it.
    fn goflake_command(&self) -> String {
        format!("nix run '{}' --", self.goflake)
    }

    /// Installs Nix with no credential in its configuration: the action otherwise writes
    /// the job's token into /etc/nix/nix.conf (`access-tokens`), readable by everything
    /// the job runs, for jobs that must hold none (the bot's hash, the release).
    fn install_nix_without_token(&self) -> String {
        format!(
            "      - uses: {}\n        with:\n          github_access_token: \"\"\n",
            uses(&INSTALL_NIX, self.pin_actions)
        )
    }

    fn build(&self) -> String {
        let body = if self.single_job {
            format!(
                "name: build\n\n{}\njobs:\n  build:\n    name: build\n    runs-on: ubuntu-latest\n{}    steps:\n{}      - name: every target\n        run: nix build -L .#release\n      - uses: {}\n        with:\n          name: {}-release\n          path: result/\n{}",
                Self::TRIGGERS,
                self.environment(),
                self.nix_steps(),
                uses(&UPLOAD_ARTIFACT, self.pin_actions),
                self.pname,
                self.save_step()
            )
        } else {
            let include: String = self
                .targets
                .iter()
                .map(|t| {
                    format!(
                        "          - target: {t}\n            attr: {}\n",
                        self.attr(t)
                    )
                })
                .collect();
            format!(
                "name: build\n\n{}\njobs:\n  build:\n    name: build ${{{{ matrix.target }}}}\n    runs-on: ubuntu-latest\n{}    strategy:\n      fail-fast: false\n      matrix:\n        include:\n{include}    steps:\n{}      - name: nix build .#${{{{ matrix.attr }}}}\n        env:\n          ATTR: ${{{{ matrix.attr }}}}\n        run: nix build -L \".#$ATTR\"\n      - uses: {}\n        with:\n          name: ${{{{ matrix.attr }}}}\n          path: result/bin/\n{}",
                Self::TRIGGERS,
                self.environment(),
                self.nix_steps(),
                uses(&UPLOAD_ARTIFACT, self.pin_actions),
                self.save_step()
            )
        };
        with_header(body)
    }

    /// Releases build from scratch: no binary cache (a cache some other job could write
    /// never feeds a release), and only this job may write.
    fn release(&self) -> String {
        with_header(format!(
            "name: release\n\non:\n  push:\n    tags:\n      - \"v*\"\n\npermissions: {{}}\n\nconcurrency:\n  group: ${{{{ github.workflow }}}}-${{{{ github.ref }}}}\n  cancel-in-progress: false\n\njobs:\n  release:\n    name: release\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write # create the GitHub release\n    steps:\n{}{}      - name: every target, SHA256SUMS and manifest.json (no binary cache, no token in Nix's configuration)\n        run: nix build -L .#release\n      - name: GitHub release\n        env:\n          GH_TOKEN: ${{{{ github.token }}}}\n        run: gh release create \"$GITHUB_REF_NAME\" --generate-notes --title \"$GITHUB_REF_NAME\" result/*\n",
            self.checkout("      "),
            self.install_nix_without_token()
        ))
    }

    fn vendor_hash_bot(&self) -> String {
        let paths: String = self
            .module_dirs
            .iter()
            .flat_map(|dir| {
                let prefix = if dir == "." {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                [
                    format!("      - \"{prefix}go.mod\"\n"),
                    format!("      - \"{prefix}go.sum\"\n"),
                ]
            })
            .collect();
        with_header(format!(
            r#"name: vendor-hash

# Dependabot and Renovate bump go.mod/go.sum but not vendorHash, which breaks the build.
# This job recomputes vendorHash for their pull requests and pushes it to the branch.
#
# Trust model: code from a branch runs only with the rights of whoever can push that branch,
# and no job that runs it can write.
# - The trigger is pull_request, not pull_request_target: the jobs run the branch's code
#   with the branch's own token. Forks never reach them (same-repository branches only), and
#   only pull requests opened by Dependabot or Renovate are handled.
# - `compute` runs the branch's code, so it holds a read-only token, and Nix is installed
#   with no credential in its configuration. The hash comes from Nix building the Go
#   modules derivation in its sandbox with pure evaluation (`--pure`: the flake can read no
#   environment variable and no file outside it). goflake writes it as an edit of flake.nix,
#   and the job hands on that one-line change (a patch), nothing else.
# - `push` holds the write token and runs no Nix and none of the branch's code: it applies
#   the patch only if it changes exactly one line of flake.nix, from a vendorHash to an SRI
#   sha256 vendorHash (with goflake's fingerprint), and pushes it onto the exact head that
#   was checked out (never forced).
# - A push made with GITHUB_TOKEN starts no workflow, so `push` dispatches check and build
#   on the branch, and they report on the fixed head.
# - goflake runs from a commit pinned by its narHash, never a tag that can move.

on:
  pull_request:
    paths:
{paths}
permissions: {{}}

concurrency:
  group: ${{{{ github.workflow }}}}-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true

jobs:
  compute:
    name: compute vendorHash
    if: >-
      github.event.pull_request.head.repo.full_name == github.repository &&
      (github.event.pull_request.user.login == 'dependabot[bot]' ||
      github.event.pull_request.user.login == 'renovate[bot]')
    runs-on: ubuntu-latest
    permissions:
      contents: read
    outputs:
      patch: ${{{{ steps.hash.outputs.patch }}}}
    steps:
      - uses: {checkout}
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
          persist-credentials: false
{install_nix}      - name: recompute vendorHash (pure evaluation, Nix sandbox, no credential)
        id: hash
        run: |
          {goflake} vendor-hash --write --method nix --pure
          echo "patch=$(git diff -- flake.nix | base64 -w0)" >> "$GITHUB_OUTPUT"

  push:
    name: push vendorHash
    needs: compute
    if: needs.compute.outputs.patch != ''
    runs-on: ubuntu-latest
    permissions:
      contents: write # push the new vendorHash to the pull request's branch
      actions: write # start check and build on the fixed head
    steps:
      - uses: {checkout}
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
          persist-credentials: false
      - name: apply the change only if it is one vendorHash line of flake.nix
        env:
          PATCH: ${{{{ needs.compute.outputs.patch }}}}
        run: |
          printf '%s' "$PATCH" | base64 -d > "$RUNNER_TEMP/vendor-hash.patch"
          git apply --index "$RUNNER_TEMP/vendor-hash.patch"
          line='^[-+][[:space:]]*vendorHash = ("sha256-[A-Za-z0-9+/]{{43}}="|null);( # goflake: vendor fingerprint [0-9a-f]+)?$'
          changed=$(git diff --cached --name-only)
          removed=$(git diff --cached -U0 | grep -c '^-[^-]' || true)
          added=$(git diff --cached -U0 | grep '^+[^+]' || true)
          if [ "$changed" != "flake.nix" ] || [ "$removed" != 1 ] || [ "$(printf '%s\n' "$added" | wc -l)" != 1 ] ||
            ! [[ "$added" =~ ^\+[[:space:]]*vendorHash\ =\ \"sha256-[A-Za-z0-9+/]{{43}}=\"\;(\ \#\ goflake:\ vendor\ fingerprint\ [0-9a-f]+)?$ ]] ||
            ! git diff --cached -U0 | grep '^-[^-]' | grep -Eq "$line"; then
            echo "refusing the change: it is not one vendorHash line of flake.nix" >&2
            git diff --cached >&2
            exit 1
          fi
      - name: push the fix and run check and build on it
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          BRANCH: ${{{{ github.event.pull_request.head.ref }}}}
          REPOSITORY: ${{{{ github.repository }}}}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          git commit -m "vendorHash: update for the new dependencies"
          git push "https://x-access-token:$GH_TOKEN@github.com/$REPOSITORY" "HEAD:refs/heads/$BRANCH"
          gh workflow run check.yml --repo "$REPOSITORY" --ref "$BRANCH"
          gh workflow run build.yml --repo "$REPOSITORY" --ref "$BRANCH"
"#,
            checkout = uses(&CHECKOUT, self.pin_actions),
            install_nix = self.install_nix_without_token(),
            goflake = self.goflake_command(),
        ))
    }

    /// The four GitHub workflows.
    pub fn github(&self) -> Vec<CiFile> {
        vec![
            CiFile {
                path: ".github/workflows/check.yml".into(),
                text: self.check(),
            },
            CiFile {
                path: ".github/workflows/build.yml".into(),
                text: self.build(),
            },
            CiFile {
                path: ".github/workflows/release.yml".into(),
                text: self.release(),
            },
            CiFile {
                path: ".github/workflows/vendor-hash.yml".into(),
                text: self.vendor_hash_bot(),
            },
        ]
    }

    /// The same jobs as `.gitlab-ci.yml`.
    pub fn gitlab(&self) -> CiFile {
        let nix_setup_plain = "  image: nixos/nix:latest\n  variables:\n    NIX_CONFIG: \"experimental-features = nix-command flakes\"\n".to_owned();
        let nix_setup = match &self.cachix {
            Some(name) => format!("{nix_setup_plain}    CACHIX_NAME: {name}\n"),
            None => nix_setup_plain.clone(),
        };
        // Values reach the shell through variables, and are validated (`validate`).
        let cachix = match &self.cachix {
            Some(_) => {
                "  before_script:\n    - nix profile install nixpkgs#cachix\n    - cachix use \"$CACHIX_NAME\"\n".to_owned()
            }
            None => String::new(),
        };
        let matrix: String = self
            .targets
            .iter()
            .map(|t| format!("      - ATTR: {}\n", self.attr(t)))
            .collect();
        let build = if self.single_job {
            format!(
                "build:\n  stage: build\n{nix_setup}{cachix}  script:\n    - nix build -L .#release\n    - cp -rL result release\n  artifacts:\n    paths:\n      - release/\n"
            )
        } else {
            format!(
                "build:\n  stage: build\n{nix_setup}{cachix}  parallel:\n    matrix:\n{matrix}  script:\n    - nix build -L \".#$ATTR\"\n    - cp -rL result/bin \"$ATTR\"\n  artifacts:\n    name: \"$ATTR\"\n    paths:\n      - \"$ATTR/\"\n"
            )
        };
        let body = format!(
            "stages:\n  - check\n  - build\n  - release\n\ncheck:\n  stage: check\n{nix_setup}{cachix}  script:\n    - nix build -L .#default\n    - nix flake check -L --no-build\n    - {} vendor-hash --check --method nix --pure\n\n{build}\n# Releases build from scratch: no binary cache feeds them.\nrelease:\n  stage: release\n{nix_setup_plain}  rules:\n    - if: $CI_COMMIT_TAG =~ /^v/\n  script:\n    - nix build -L .#release\n    - cp -rL result release\n  artifacts:\n    paths:\n      - release/\n",
            self.goflake_command()
        );
        CiFile {
            path: ".gitlab-ci.yml".into(),
            text: with_header(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED_FOR_TESTS: &str = "github:goflake/goflake/0123456789abcdef0123456789abcdef01234567?narHash=sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    #[test]
    fn only_a_commit_with_its_nar_hash_pins_goflake() {
        assert!(pinned_ref_ok(PINNED_FOR_TESTS));
        for unpinned in [
            "github:goflake/goflake/v0.1.0",
            "github:goflake/goflake",
            "github:goflake/goflake/0123456789abcdef0123456789abcdef01234567",
            "github:goflake/goflake/main?narHash=sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "github:goflake/goflake/0123456789abcdef0123456789abcdef01234567?narHash=sha256-short=",
            "github:goflake/goflake/0123456789abcdef0123456789abcdef01234567?narHash=sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=&x=';rm",
            "path:/tmp/goflake",
        ] {
            assert!(!pinned_ref_ok(unpinned), "{unpinned}");
        }
    }

    #[test]
    fn who_wrote_a_file_is_recognised() {
        let spec = CiSpec {
            pname: "app".into(),
            targets: vec![Target::new("linux", "amd64")],
            cachix: None,
            pin_actions: true,
            single_job: false,
            goflake: PINNED_FOR_TESTS.into(),
            module_dirs: vec![".".into()],
        };
        let file = spec.github().remove(0);
        assert_eq!(provenance(&file.text), Provenance::Untouched);
        assert_eq!(
            provenance(
                &file
                    .text
                    .replace("nix flake check -L --no-build", "nix flake check")
            ),
            Provenance::Edited
        );
        assert_eq!(provenance("stages: [test]\n"), Provenance::Foreign);
        assert_eq!(provenance(""), Provenance::Foreign);
    }
}
