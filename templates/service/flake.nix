{
  description = "service: a Go program built for every target by goflake";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      # Maintained by goflake (`goflake init`, `goflake targets`, `goflake vendor-hash`);
      # edit them freely, goflake keeps your changes.
      pname = "service";
      mainProgram = "service";
      version = "0.1.0";
      vendorHash = null; # goflake: vendor fingerprint 67222a989e546070
      goAttr = "go_1_25";
      modRoot = "./";
      subPackages = [ "." ];
      # Built by the native package only: they need cgo, and the targets are pure Go.
      nativeOnly = [ ];
      # Packages a target cannot compile (goflake compiled each one), left out of that
      # target only.
      unbuildable = { };
      # Each target's dependencies (or, without any, the standard library) compiled once
      # into a Go build cache, pure (made from goModules and go.mod alone), so a rebuild
      # after editing the code compiles only the project's own packages. false: no cache.
      buildCache = true;
      ldflags = [
        "-s"
        "-w"
        "-X main.version=${version}"
      ];
      targets = [
        "linux/amd64"
        "linux/arm64"
        "darwin/amd64"
        "darwin/arm64"
      ];

      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      packagesFor =
        pkgs:
        let
          inherit (pkgs) lib;
          go = pkgs.${goAttr};
          buildGoModule = pkgs.buildGoModule.override { inherit go; };

          native = buildGoModule {
            inherit
              pname
              version
              vendorHash
              modRoot
              subPackages
              ldflags
              ;
            # The source without build results: `nix build`'s result links at the top and
            # the release directories `goflake build` writes (they hold `.goflake-dist`).
            # The filter sees every path: a package named result or dist stays.
            src = lib.cleanSourceWith {
              src = ./.;
              filter =
                path: type:
                let
                  name = baseNameOf path;
                  topLevel = dirOf path == toString ./.;
                  resultLink = type == "symlink" && lib.hasPrefix "result" name;
                  release = type == "directory" && builtins.pathExists "${path}/.goflake-dist";
                in
                !(topLevel && (name == ".git" || resultLink) || release);
            };
            meta.mainProgram = mainProgram;
          };

          # go.mod alone (with go.sum): what the dependency caches may depend on besides
          # goModules, so that editing a .go file never rebuilds them.
          goModSource = lib.cleanSourceWith {
            src = ./. + "/${modRoot}";
            filter =
              path: type:
              builtins.elem (baseNameOf path) [
                "go.mod"
                "go.sum"
              ];
          };

          # A target's dependencies compiled into a GOCACHE: every package vendor/modules.txt
          # lists (with proxyVendor, every package of the downloaded modules) that builds for
          # the target, with the target's environment and flags (Go's cache keys cover them),
          # so the target's build finds them compiled.
          depsCache =
            {
              env,
              tags,
              proxyVendor,
            }:
            pkgs.runCommand "${pname}-${env.GOOS}-${env.GOARCH}-deps-cache"
              {
                nativeBuildInputs = [ go ];
                inherit env;
              }
              (
                ''
                  export GOCACHE=$out GOPATH=$TMPDIR/go GOPROXY=off GOSUMDB=off
                  mkdir -p $out $TMPDIR/module
                  cd $TMPDIR/module
                  cp ${goModSource}/go.* .
                ''
                + (
                  if proxyVendor then
                    ''
                      export GOPROXY=file://${native.goModules}
                      go mod download
                      packages=$(go list -m -f '{{if and (not .Main) .Dir}}{{.Path}}/...{{end}}' all)
                    ''
                  else
                    ''
                      cp -r --no-preserve=mode ${native.goModules} vendor
                      packages=$(grep -v '^#' vendor/modules.txt || true)
                    ''
                )
                + ''
                  format='{{if not .Incomplete}}{{.ImportPath}}{{end}}'
                  buildable=$(go list -e ${tags} -f "$format" $packages)
                  echo "compiling into the cache:" $buildable
                  # A package that lists but does not compile for the target is left out (one
                  # at a time, then): the target's build reports it if it needs it.
                  if [ -n "$buildable" ] && ! go build ${tags} -p "''${NIX_BUILD_CORES:-1}" $buildable; then
                    for package in $buildable; do
                      go build ${tags} "$package" 2>/dev/null || echo "not cached: $package"
                    done
                  fi
                ''
              );

          # Without dependencies, the whole standard library compiled for the target. Made
          # from Go, the target's environment and tags alone, so every project on the
          # machine with the same Go and target shares one build.
          stdCache =
            { env, tags }:
            pkgs.runCommand "go-${go.version}-${env.GOOS}-${env.GOARCH}-std-cache"
              {
                nativeBuildInputs = [ go ];
                inherit env;
              }
              ''
                export GOCACHE=$out GOPATH=$TMPDIR/go GOPROXY=off
                mkdir -p $out $TMPDIR/std
                cd $TMPDIR/std
                echo "module goflake.invalid/std" > go.mod
                go build ${tags} -p "''${NIX_BUILD_CORES:-1}" std
              '';

          # The package's build starts from its cache.
          withBuildCache =
            old:
            let
              args = {
                # GOFLAGS is in env on current nixpkgs, an argument on older releases.
                env = old.env // {
                  GOFLAGS = old.env.GOFLAGS or (toString (old.GOFLAGS or [ ]));
                };
                tags = lib.optionalString (old.tags or [ ] != [ ]) (
                  lib.escapeShellArg ("-tags=" + lib.concatStringsSep "," old.tags)
                );
              };
              cache =
                if vendorHash != null then
                  depsCache (args // { proxyVendor = old.proxyVendor or false; })
                else
                  stdCache args;
            in
            lib.optionalAttrs buildCache {
              postConfigure = (old.postConfigure or "") + ''
                mkdir -p "$GOCACHE"
                cp -r --no-preserve=mode ${cache}/. "$GOCACHE"/
              '';
            };

          # One package per target: the native builder retargeted (nixpkgs overwrites
          # env.GOOS given as an argument), sharing the native package's goModules.
          cross =
            target:
            let
              goos = builtins.elemAt (lib.splitString "/" target) 0;
              goarch = builtins.elemAt (lib.splitString "/" target) 1;
              retargeted = native.overrideAttrs (old: {
                pname = "${pname}-${goos}-${goarch}";
                inherit (native) goModules;
                subPackages = builtins.filter (
                  p: !builtins.elem p (nativeOnly ++ (unbuildable.${target} or [ ]))
                ) subPackages;
                env = old.env // {
                  GOOS = goos;
                  GOARCH = goarch;
                  CGO_ENABLED = "0";
                };
                doCheck = false;
                # Go installs cross binaries in bin/GOOS_GOARCH; wasm gets its extension, and
                # js/wasm the wasm_exec.js of the same Go.
                postInstall = ''
                  if [ -d $out/bin/${goos}_${goarch} ]; then
                    mv $out/bin/${goos}_${goarch}/* $out/bin/
                    rmdir $out/bin/${goos}_${goarch}
                  fi
                ''
                + lib.optionalString (goarch == "wasm") ''
                  for f in $out/bin/*; do mv "$f" "$f.wasm"; done
                ''
                + lib.optionalString (goos == "js") ''
                  cp ${go}/share/go/lib/wasm/wasm_exec.js ${go}/share/go/lib/wasm/wasm_exec_node.js $out/bin/
                '';
              });
            in
            retargeted.overrideAttrs withBuildCache;

          crossPackages = lib.listToAttrs (
            map (
              target: lib.nameValuePair "${pname}-${lib.replaceStrings [ "/" ] [ "-" ] target}" (cross target)
            ) targets
          );

          # Every target's binaries as <name>_<version>_<goos>_<goarch>[.exe|.wasm], with
          # SHA256SUMS and manifest.json.
          release = pkgs.runCommand "${pname}-${version}-release" { } ''
            mkdir -p $out
            cd $out
            entries=()
            ${lib.concatMapStrings (
              target:
              let
                goos = builtins.elemAt (lib.splitString "/" target) 0;
                goarch = builtins.elemAt (lib.splitString "/" target) 1;
                package = crossPackages."${pname}-${goos}-${goarch}";
              in
              ''
                for f in ${package}/bin/*; do
                  base=$(basename "$f")
                  case "$base" in
                    wasm_exec*.js) cp "$f" "$base"; continue ;;
                    *.exe) name="''${base%.exe}_${version}_${goos}_${goarch}.exe" ;;
                    *.wasm) name="''${base%.wasm}_${version}_${goos}_${goarch}.wasm" ;;
                    *) name="''${base}_${version}_${goos}_${goarch}" ;;
                  esac
                  cp "$f" "$name"
                  sum=$(sha256sum "$name" | cut -d' ' -f1)
                  size=$(stat -c %s "$name")
                  entries+=("{\"target\":\"${target}\",\"file\":\"$name\",\"sha256\":\"$sum\",\"size\":$size,\"version\":\"${version}\",\"go\":\"${go.version}\"}")
                done
              ''
            ) targets}
            sha256sum * > SHA256SUMS
            (IFS=,; echo "{\"version\":\"${version}\",\"go\":\"${go.version}\",\"artifacts\":[''${entries[*]}]}") > manifest.json
          '';
        in
        crossPackages
        // {
          default = native;
          inherit release;
        };
    in
    {
      packages = forAllSystems packagesFor;

      apps = forAllSystems (
        pkgs:
        let
          packages = packagesFor pkgs;
        in
        {
          default = {
            type = "app";
            program = pkgs.lib.getExe packages.default;
          };
        }
        // pkgs.lib.optionalAttrs (builtins.elem "wasip1/wasm" targets) {
          # The wasip1 module under Node's WASI runtime.
          "${pname}-wasip1-wasm" = {
            type = "app";
            program = pkgs.lib.getExe (
              pkgs.writeShellScriptBin "${pname}-wasip1-wasm" ''
                exec ${pkgs.lib.getExe pkgs.nodejs} --no-warnings -e '
                  const { WASI } = require("node:wasi");
                  const wasi = new WASI({ version: "preview1", args: process.argv.slice(1), env: process.env, preopens: { ".": "." } });
                  WebAssembly.instantiate(require("node:fs").readFileSync(process.argv[1]), wasi.getImportObject())
                    .then(({ instance }) => process.exit(wasi.start(instance)));
                ' ${packages."${pname}-wasip1-wasm"}/bin/${mainProgram}.wasm "$@"
              ''
            );
          };
        }
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.${goAttr}
            pkgs.gopls
            pkgs.gotools
            pkgs.delve
            pkgs.golangci-lint
          ];
          GOTOOLCHAIN = "local";
        };
      });

      # Every target and the release: `nix flake check` and the services that build checks
      # (buildbot-nix) compile every target.
      checks = forAllSystems packagesFor;

      # Hydra's jobs, `packages.<system>.<name>`: every target and the release, per system.
      hydraJobs = {
        inherit (self) packages;
      };

      # `nix fmt` formats every Nix file of the tree (current Nix passes no paths).
      formatter = forAllSystems (pkgs: pkgs.nixfmt-tree);
    };
}
