# stdenv.mkDerivation as generated flakes and buildGoModule use it: the finalAttrs fixed
# point, overrideAttrs (both `prev:` and `final: prev:` forms), `env` passed as environment
# variables with nixpkgs' overlap error, passthru, and a generic builder (setup.sh) running
# the standard phases with the host's bash and coreutils.
{
  lib,
  host,
  system,
  hostPlatform,
}:
let
  # Attributes that describe the package but are not passed to the builder.
  notForBuilder = [
    "passthru"
    "meta"
    "env"
    "finalPackage"
    "nativeBuildInputs"
    "buildInputs"
    "strictDeps"
    "pname"
  ];

  makeDerivation =
    attrs:
    let
      env = attrs.env or { };
      overlapping = builtins.filter (n: attrs ? ${n}) (builtins.attrNames env);
      badEnv = builtins.filter (
        n:
        let
          v = env.${n};
        in
        !(builtins.isString v || builtins.isBool v || builtins.isInt v || (builtins.isAttrs v && v ? outPath))
      ) (builtins.attrNames env);
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      inputs = (attrs.nativeBuildInputs or [ ]) ++ (attrs.buildInputs or [ ]);
      passed = lib.filterAttrs (
        n: v:
        !(builtins.elem n notForBuilder)
        && v != null
        && !builtins.isFunction v
        && !(builtins.isAttrs v && !(v ? outPath))
      ) attrs;
      # As in make-derivation.nix, the checks and the derivation are only evaluated when its
      # paths are (nix build, string interpolation): a package whose attributes throw (an
      # uncomputed vendorHash) can still be read and overridden.
      drv =
        # make-derivation.nix asserts that env values are strings, bools, ints or derivations.
        if badEnv != [ ] then
          throw "${name}: The ‘env’ attribute set can only contain derivation, string, boolean or integer attributes. The following attributes have another type: ${lib.concatStringsSep ", " badEnv}"
        else if overlapping != [ ] then
          throw "${name}: The ‘env’ attribute set cannot contain any attributes passed to derivation. The following attributes are overlapping:\n${
            lib.concatMapStrings (n: "  - ${n}\n") overlapping
          }"
        else
          builtins.derivation (
            passed
            // env
            // {
              inherit name system;
              builder = host.bash;
              args = [
                "-e"
                ./setup.sh
              ];
              PATH = lib.concatStringsSep ":" (map (p: "${p}/bin") inputs ++ [ host.path ]);
            }
          );
    in
    (attrs.passthru or { })
    // attrs
    // {
      inherit (drv) outPath drvPath;
      inherit name system env;
      type = "derivation";
      outputName = "out";
      meta = attrs.meta or { };
      passthru = attrs.passthru or { };
    };

  mkDerivation =
    fpOrAttrs:
    let
      makeWith =
        f:
        let
          finalAttrs = f finalAttrs // {
            finalPackage = package;
          };
          package = makeDerivation finalAttrs // {
            overrideAttrs = g: makeWith (lib.extends (lib.toExtension g) f);
          };
        in
        package;
    in
    makeWith (if builtins.isFunction fpOrAttrs then fpOrAttrs else _: fpOrAttrs);
in
{
  inherit mkDerivation hostPlatform;
  buildPlatform = hostPlatform;
  targetPlatform = hostPlatform;
}
