# `import nixpkgs { }`, as nixpkgs' own default.nix: the packages of this machine's system
# (goflake evaluates which Go releases a locked nixpkgs has this way).
{
  system ? builtins.currentSystem,
  ...
}:
((import ./flake.nix).outputs { self = null; }).legacyPackages.${system}
