{
  description = "app: a Go program built for every target by goflake";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      # Maintained by goflake (`goflake init`, `goflake targets`, `goflake vendor-hash`);
      # edit them freely, goflake keeps your changes.
      pname = "app";
      mainProgram = "app";
      version = "0.1.0";
      vendorHash = null;
      goAttr = "go_1_26";
      modRoot = "./";
      subPackages = [ "." ];
      # Built by the native package only: they need cgo, and the targets are pure Go.
      nativeOnly = [ ];
      # Packages a target cannot compile (goflake compiled each one), left out of that
      # target only.
      unbuildable = { };
      ldflags = [
        "-s"
        "-w"
      ];
      targets = [
        "linux/amd64"
        "linux/arm64"
        "darwin/amd64"
        "darwin/arm64"
        "windows/amd64"
        "windows/arm64"
        "js/wasm"
        "wasip1/wasm"
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
            # The source without build results: `nix build` links and `goflake build`'s dist/.
            src = lib.cleanSourceWith {
              src = ./.;
              filter =
                path: _type:
                !builtins.elem (baseNameOf path) [
                  "result"
                  "dist"
                ];
            };
            meta.mainProgram = mainProgram;
          };

          # One package per target: the native builder retargeted (nixpkgs overwrites
          # env.GOOS given as an argument), sharing the native package's goModules.
          cross =
            target:
            let
              goos = builtins.elemAt (lib.splitString "/" target) 0;
              goarch = builtins.elemAt (lib.splitString "/" target) 1;
            in
            native.overrideAttrs (old: {
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

      checks = forAllSystems (pkgs: {
        default = (packagesFor pkgs).default;
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt);
    };
}
