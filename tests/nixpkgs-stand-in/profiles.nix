# The nixpkgs releases the stand-in can be: which Go attributes and systems each one has.
# `instantiate OUTDIR PROFILE` picks one (default nixos-26.05, the branch goflake pins).
{
  # nixos-26.05 branched in May 2026, before Go 1.27 existed: go_1_25 and go_1_26, `go` is
  # go_1_26 (pkgs/top-level/all-packages.nix on that branch; shared/reference/nixpkgs-go.md).
  # x86_64-darwin is still supported; 26.05 is said to be its last release.
  "nixos-26.05" = {
    goMinors = [
      25
      26
    ];
    defaultGoMinor = 26;
    systems = [
      "x86_64-linux"
      "aarch64-linux"
      "x86_64-darwin"
      "aarch64-darwin"
    ];
  };
  # master (nixpkgs-unstable) of November 2026: go_1_27 added, `go` still go_1_26
  # (02ed1649), and no x86_64-darwin after 26.05.
  "nixpkgs-unstable" = {
    goMinors = [
      25
      26
      27
    ];
    defaultGoMinor = 26;
    systems = [
      "x86_64-linux"
      "aarch64-linux"
      "aarch64-darwin"
    ];
  };
}
