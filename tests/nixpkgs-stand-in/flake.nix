# A small stand-in for nixpkgs, for goflake's tests on machines that cannot fetch nixpkgs.
# It mirrors what goflake's generated flakes use (see README.md) and builds with the host's
# own tools, whose absolute paths `instantiate` writes into host.nix. Never used by
# generated flakes themselves: tests pass `--override-input nixpkgs path:<instantiated copy>`.
{
  description = "goflake's nixpkgs stand-in (tests only)";

  outputs =
    { self }:
    let
      host = import ./host.nix;
      lib = import ./lib.nix;
      # The release profile's systems: a flake that lists another one fails to evaluate.
      inherit ((import ./profiles.nix).${host.profile}) systems;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs systems (system: import ./pkgs.nix { inherit lib host system; });
    };
}
