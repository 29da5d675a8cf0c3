# legacyPackages.<system> of the stand-in: what generated flakes use, built from the host's
# tools. Tools the host lacks are derivations that fail with a clear message when built,
# never a fake binary that pretends to be the tool.
{
  lib,
  host,
  system,
}:
let
  parts = lib.splitString "-" system;
  cpu = builtins.head parts;
  kernel = builtins.elemAt parts 1;
  hostPlatform = {
    inherit system;
    isLinux = kernel == "linux";
    isDarwin = kernel == "darwin";
    isx86_64 = cpu == "x86_64";
    isAarch64 = cpu == "aarch64";
    # lib/systems/default.nix: the Go names of the platform.
    go = {
      GOOS =
        if kernel == "darwin" then
          "darwin"
        else if kernel == "linux" then
          "linux"
        else
          throw "unsupported system ${system}";
      GOARCH = if cpu == "x86_64" then "amd64" else "arm64";
    };
  };
  stdenv = import ./stdenv.nix {
    inherit
      lib
      host
      system
      hostPlatform
      ;
  };
  inherit (stdenv) mkDerivation;

  # A host tool as a package: $out/bin/<name> links to the host binary.
  hostTool =
    name: path:
    if path == null then
      mkDerivation {
        inherit name;
        phases = "installPhase";
        installPhase = ''
          echo "${name} is not installed on this host, so goflake's nixpkgs stand-in cannot provide it" >&2
          exit 1
        '';
        meta.mainProgram = name;
      }
    else
      mkDerivation {
        inherit name;
        phases = "installPhase";
        installPhase = ''
          mkdir -p $out/bin
          ln -s ${path} $out/bin/${name}
        '';
        meta.mainProgram = name;
      };

  profile = (import ./profiles.nix).${host.profile};

  # go_1_XX is a real Go release of that minor: the `golang.org/toolchain` module that
  # scripts/fetch-toolchains downloaded, with its GOROOT copied into the store as nixpkgs'
  # go derivation is (so `disallowedReferences = [ go ]` means something).
  goFor =
    minor:
    let
      toolchain =
        host.toolchains."1.${toString minor}"
          or (throw "the stand-in has no Go 1.${toString minor} toolchain (run scripts/fetch-toolchains)");
    in
    mkDerivation {
      pname = "go";
      inherit (toolchain) version;
      phases = "installPhase";
      installPhase = ''
        mkdir -p $out/bin $out/share
        cp -r ${toolchain.root} $out/share/go
        chmod -R u+w $out/share/go
        # Module zips carry no modes: mark the programs executable, as `go` does when it
        # switches to a downloaded toolchain.
        chmod +x $out/share/go/bin/* $out/share/go/pkg/tool/*/*
        ln -s $out/share/go/bin/go $out/bin/go
        ln -s $out/share/go/bin/gofmt $out/bin/gofmt
      '';
      passthru = {
        # pkgs/development/compilers/go/1.2x.nix: GOOS/GOARCH of the platform, cgo on.
        inherit (hostPlatform.go) GOOS GOARCH;
        CGO_ENABLED = 1;
      };
      meta.mainProgram = "go";
    };

  # Like callPackage's result: callable, and `.override { go = …; }` swaps the Go.
  buildGoModuleWith = go: {
    __functor = _: import ./go-module.nix { inherit lib stdenv go; };
    override = args: buildGoModuleWith (args.go or go);
  };

  goForMinor = lib.listToAttrs (
    map (minor: lib.nameValuePair (toString minor) (goFor minor)) profile.goMinors
  );

  # go_1_XX and buildGo1XXModule for each Go of the release profile, and no others.
  goAttributes = lib.listToAttrs (
    lib.concatMap (minor: [
      (lib.nameValuePair "go_1_${toString minor}" goForMinor.${toString minor})
      (lib.nameValuePair "buildGo1${toString minor}Module" (
        buildGoModuleWith goForMinor.${toString minor}
      ))
    ]) profile.goMinors
  );

  pkgs = goAttributes // rec {
    inherit lib stdenv;

    go = goForMinor.${toString profile.defaultGoMinor};
    buildGoModule = buildGoModuleWith go;

    nodejs = hostTool "node" host.node;
    bash = hostTool "bash" host.bash;

    gopls = hostTool "gopls" host.tools.gopls;
    gotools = hostTool "goimports" host.tools.goimports;
    delve = hostTool "dlv" host.tools.dlv;
    golangci-lint = hostTool "golangci-lint" host.tools.golangci-lint;
    nixfmt = hostTool "nixfmt" host.tools.nixfmt;
    nixfmt-rfc-style = nixfmt;
    # pkgs/by-name/ni/nixfmt-tree: treefmt configured to run nixfmt on every `*.nix` of the
    # tree, which is what `nix fmt` needs (current Nix passes it no paths). Here a script
    # does treefmt's part: the paths given, else the whole tree from the flake's root.
    nixfmt-tree = writeShellScriptBin "treefmt" ''
      set -euo pipefail
      nixfmt=${lib.getExe nixfmt}
      if [ "$#" -eq 0 ]; then
        root=$PWD
        while [ "$root" != / ] && [ ! -e "$root/flake.nix" ]; do root=$(dirname "$root"); done
        set -- "$root"
      fi
      find "$@" -name '*.nix' -type f -not -path '*/.git/*' -exec "$nixfmt" {} +
    '';
    wasmtime = hostTool "wasmtime" host.tools.wasmtime;

    runCommand =
      name: env: script:
      mkDerivation (
        env
        // {
          inherit name;
          phases = "buildPhase";
          buildPhase = script;
        }
      );
    runCommandLocal = runCommand;

    writeShellScriptBin =
      name: text:
      mkDerivation {
        inherit name;
        phases = "installPhase";
        inherit text;
        passAsFile = [ "text" ];
        installPhase = ''
          mkdir -p $out/bin
          { echo "#!${host.bash}"; cat "$textPath"; } >$out/bin/${name}
          chmod +x $out/bin/${name}
        '';
        meta.mainProgram = name;
      };

    symlinkJoin =
      {
        name,
        paths,
        postBuild ? "",
        ...
      }@args:
      mkDerivation (
        builtins.removeAttrs args [ "paths" ]
        // {
          inherit name postBuild;
          pathsToLink = map toString paths;
          phases = "buildPhase";
          buildPhase = ''
            mkdir -p $out
            for p in $pathsToLink; do
              cp -rs --no-preserve=mode "$p"/. $out/
            done
            runHook postBuild
          '';
        }
      );

    mkShell =
      {
        name ? "nix-shell",
        packages ? [ ],
        inputsFrom ? [ ],
        ...
      }@args:
      mkDerivation (
        builtins.removeAttrs args [
          "packages"
          "inputsFrom"
        ]
        // {
          inherit name;
          nativeBuildInputs =
            packages ++ (args.nativeBuildInputs or [ ]) ++ lib.concatMap (d: d.nativeBuildInputs or [ ]) inputsFrom;
          phases = "nobuildPhase";
          nobuildPhase = ''
            echo "This derivation is not meant to be built, unless you want to capture the dependencies."
            touch $out
          '';
        }
      );
  };
in
pkgs
