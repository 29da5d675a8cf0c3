# buildGoModule as nixpkgs' pkgs/build-support/go/module.nix (2025-2026) behaves, rewritten
# for the stand-in: extendMkDerivation over mkDerivation, the goModules fixed-output
# derivation, env merged with the builder's values winning, -mod=vendor and -trimpath in
# GOFLAGS, -buildid= appended to ldflags, subPackages, tags, doCheck running go test, and
# $GOPATH/bin installed as is.
{
  lib,
  stdenv,
  go,
}:
lib.extendMkDerivation {
  constructDrv = stdenv.mkDerivation;
  excludeDrvArgNames = [
    "overrideModAttrs"
    # In env (below); a top-level GOFLAGS would overlap it.
    "GOFLAGS"
  ];
  extendDrvArgs =
    finalAttrs:
    {
      nativeBuildInputs ? [ ],
      passthru ? { },
      overrideModAttrs ? (final: prev: { }),
      modRoot ? "./",
      vendorHash ? throw (
        if args ? vendorSha256 then
          "buildGoModule: Expect vendorHash instead of vendorSha256"
        else
          "buildGoModule: vendorHash is missing"
      ),
      deleteVendor ? false,
      proxyVendor ? false,
      allowGoReference ? false,
      meta ? { },
      ldflags ? [ ],
      GOFLAGS ? [ ],
      ...
    }@args:
    {
      inherit
        modRoot
        vendorHash
        deleteVendor
        proxyVendor
        ;

      goModules =
        if finalAttrs.vendorHash == null then
          ""
        else
          (stdenv.mkDerivation {
            name = "${finalAttrs.name or "${finalAttrs.pname}-${finalAttrs.version}"}-go-modules";
            nativeBuildInputs = (finalAttrs.nativeBuildInputs or [ ]) ++ [ go ];
            inherit (finalAttrs) src modRoot;
            prePatch = finalAttrs.prePatch or "";
            patches = finalAttrs.patches or [ ];
            postPatch = finalAttrs.postPatch or "";
            preBuild = finalAttrs.preBuild or "";
            postBuild = finalAttrs.modPostBuild or "";
            # Inherited from the package, as nixpkgs does: changing env can change the hash.
            env = finalAttrs.env or { };
            impureEnvVars = lib.fetchers.proxyImpureEnvVars ++ [
              "GIT_PROXY_COMMAND"
              "SOCKS_SERVER"
              "GOPROXY"
            ];
            configurePhase = ''
              runHook preConfigure
              export GOCACHE=$TMPDIR/go-cache
              export GOPATH="$TMPDIR/go"
              cd "$modRoot"
              runHook postConfigure
            '';
            buildPhase = ''
              runHook preBuild
              ${lib.optionalString finalAttrs.deleteVendor ''
                if [ ! -d vendor ]; then
                  echo "vendor folder does not exist, 'deleteVendor' is not needed"
                  exit 10
                fi
                rm -rf vendor
              ''}
              if [ -d vendor ]; then
                echo "vendor folder exists, please set 'vendorHash = null;' in your expression"
                exit 10
              fi
              ${
                if finalAttrs.proxyVendor then
                  ''
                    mkdir -p "$GOPATH/pkg/mod/cache/download"
                    go mod download
                  ''
                else
                  ''
                    go mod vendor
                  ''
              }
              mkdir -p vendor
              runHook postBuild
            '';
            installPhase = ''
              runHook preInstall
              ${
                if finalAttrs.proxyVendor then
                  ''
                    rm -rf "$GOPATH/pkg/mod/cache/download/sumdb"
                    cp -r "$GOPATH/pkg/mod/cache/download" $out
                  ''
                else
                  ''
                    cp -r vendor $out
                  ''
              }
              if ! [ "$(ls -A $out)" ]; then
                echo "vendor folder is empty, please set 'vendorHash = null;' in your expression"
                exit 10
              fi
              runHook postInstall
            '';
            outputHashMode = "recursive";
            outputHash = finalAttrs.vendorHash;
            outputHashAlgo = if finalAttrs.vendorHash == "" then "sha256" else null;
          }).overrideAttrs
            (finalAttrs.passthru.overrideModAttrs or overrideModAttrs);

      nativeBuildInputs = [ go ] ++ nativeBuildInputs;

      # The builder's values win over the caller's env: env.GOOS given as an argument is
      # silently replaced (retarget with overrideAttrs instead). As on nixpkgs master
      # (02ed1649): GOOS/GOARCH from the platform, GOFLAGS in env (so goModules sees it
      # too), no GO111MODULE.
      env = args.env or { } // {
        inherit (stdenv.hostPlatform.go) GOOS GOARCH;
        GOTOOLCHAIN = "local";
        CGO_ENABLED = args.env.CGO_ENABLED or go.CGO_ENABLED;
        GOFLAGS = toString (
          GOFLAGS
          ++ lib.warnIf (lib.any (lib.hasPrefix "-mod=") GOFLAGS)
            "use `proxyVendor` to control Go module/vendor behavior instead of setting `-mod=` in GOFLAGS"
            (lib.optional (!finalAttrs.proxyVendor) "-mod=vendor")
          ++ lib.warnIf (builtins.elem "-trimpath" GOFLAGS)
            "`-trimpath` is added by default to GOFLAGS by buildGoModule when allowGoReference isn't set to true"
            (lib.optional (!allowGoReference) "-trimpath")
        );
      };

      ldflags = ldflags ++ lib.optional (!lib.any (lib.hasPrefix "-buildid=") ldflags) "-buildid=";

      configurePhase =
        args.configurePhase or ''
          runHook preConfigure
          export GOCACHE=$TMPDIR/go-cache
          export GOPATH="$TMPDIR/go"
          export GOPROXY=off
          export GOSUMDB=off
          cd "$modRoot"
          ${lib.optionalString (finalAttrs.vendorHash != null) (
            if finalAttrs.proxyVendor then
              ''
                export GOPROXY="file://$goModules"
              ''
            else
              ''
                rm -rf vendor
                cp -r --no-preserve=mode "$goModules" vendor
              ''
          )}
          runHook postConfigure
        '';

      buildPhase =
        args.buildPhase or ''
          runHook preBuild
          exclude='\(/_\|examples\|Godeps\|testdata\)'

          buildGoDir() {
            local cmd="$1" dir="$2"
            local -a flags=()
            if [ -n "''${tags:-}" ]; then flags+=("-tags=$(concatStringsSep "," tags)"); fi
            if [ -n "''${ldflags:-}" ]; then flags+=("-ldflags=$ldflags"); fi
            flags+=(-p "''${NIX_BUILD_CORES:-1}")
            if [ "$cmd" = test ]; then
              flags+=(-vet=off)
              flags+=(''${checkFlags:-})
            fi
            local output
            if ! output="$(go $cmd "''${flags[@]}" $dir 2>&1)"; then
              if ! echo "$output" | grep -qE '(no( buildable| non-test)?|build constraints exclude all) Go (source )?files'; then
                echo "$output" >&2
                return 1
              fi
            fi
            if [ -n "$output" ]; then echo "$output" >&2; fi
          }

          getGoDirs() {
            if [ -n "''${subPackages:-}" ]; then
              echo "$subPackages" | sed "s,\(^\| \),\1./,g"
            else
              find . -type f -name \*$1.go -exec dirname {} \; | grep -v "/vendor/" | sort --unique | grep -v "$exclude"
            fi
          }

          for pkg in $(getGoDirs ""); do
            echo "Building subPackage $pkg"
            buildGoDir install "$pkg"
          done
          runHook postBuild
        '';

      doCheck = args.doCheck or true;
      checkPhase =
        args.checkPhase or ''
          runHook preCheck
          export GOFLAGS=''${GOFLAGS//-trimpath/}
          for pkg in $(getGoDirs test); do
            buildGoDir test "$pkg"
          done
          runHook postCheck
        '';

      installPhase =
        args.installPhase or ''
          runHook preInstall
          mkdir -p $out
          dir="$GOPATH/bin"
          [ -e "$dir" ] && cp -r $dir $out
          runHook postInstall
        '';

      disallowedReferences = lib.optional (!allowGoReference) go;

      passthru = {
        inherit go;
        overrideModAttrs = lib.toExtension overrideModAttrs;
      }
      // passthru;

      meta = {
        platforms = go.meta.platforms or lib.platforms.all;
      }
      // meta;
    };
}
