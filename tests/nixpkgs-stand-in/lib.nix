# The part of nixpkgs' lib that generated flakes and the builders below call, written to
# behave as nixpkgs' lib/ does.
let
  lib = rec {
    inherit (builtins)
      attrNames
      attrValues
      concatStringsSep
      elem
      filter
      foldl'
      genList
      head
      isAttrs
      isFunction
      isList
      isString
      length
      listToAttrs
      mapAttrs
      replaceStrings
      substring
      stringLength
      tail
      toJSON
      ;

    # lib/trivial.nix
    id = x: x;
    const = x: _: x;
    warn = msg: builtins.trace "[1;31mwarning: ${msg}[0m";
    warnIf = cond: msg: if cond then warn msg else id;
    fix = f: let x = f x; in x;
    extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
    # lib/fixed-points.nix: accepts `prev: { }` and `final: prev: { }`.
    toExtension =
      f:
      if isFunction f then
        final: prev:
        let
          fPrev = f prev;
        in
        if isFunction fPrev then f final prev else fPrev
      else
        final: prev: f;

    # lib/attrsets.nix
    genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
    nameValuePair = name: value: { inherit name value; };
    mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);
    optionalAttrs = cond: attrs: if cond then attrs else { };
    filterAttrs =
      pred: set:
      listToAttrs (
        concatMap (name: if pred name set.${name} then [ (nameValuePair name set.${name}) ] else [ ]) (
          attrNames set
        )
      );
    recursiveUpdate =
      lhs: rhs:
      lhs
      // mapAttrs (
        name: value:
        if isAttrs value && lhs ? ${name} && isAttrs lhs.${name} then
          recursiveUpdate lhs.${name} value
        else
          value
      ) rhs;

    # lib/lists.nix
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    concatMap = f: list: builtins.concatLists (map f list);
    any = builtins.any;
    all = builtins.all;
    flatten = x: if isList x then concatMap flatten x else [ x ];
    unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];

    # lib/strings.nix
    optionalString = cond: s: if cond then s else "";
    concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
    concatMapStrings = f: list: concatStringsSep "" (map f list);
    hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
    hasSuffix =
      suffix: content:
      let
        lenContent = stringLength content;
        lenSuffix = stringLength suffix;
      in
      lenContent >= lenSuffix && substring (lenContent - lenSuffix) lenContent content == suffix;
    removePrefix =
      prefix: str:
      if hasPrefix prefix str then
        substring (stringLength prefix) (stringLength str - stringLength prefix) str
      else
        str;
    removeSuffix =
      suffix: str:
      if hasSuffix suffix str then substring 0 (stringLength str - stringLength suffix) str else str;
    splitString =
      sep: s: filter isString (builtins.split (replaceStrings [ "." "+" "*" "?" "(" ")" "[" "]" "|" "^" "$" ] [ "\\." "\\+" "\\*" "\\?" "\\(" "\\)" "\\[" "\\]" "\\|" "\\^" "\\$" ] sep) s);
    escapeShellArg = arg: "'${replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
    escapeShellArgs = concatMapStringsSep " " escapeShellArg;
    makeBinPath = paths: concatMapStringsSep ":" (p: "${p}/bin") paths;
    getExe =
      drv:
      "${drv}/bin/${drv.meta.mainProgram or (throw "getExe: ${drv.name or "package"} has no meta.mainProgram")}";
    getExe' = drv: name: "${drv}/bin/${name}";
    versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;

    # lib/sources.nix: cleanSource keeps the whole tree here; cleanSourceWith filters.
    cleanSource = src: src;
    cleanSourceWith =
      {
        src,
        filter ? _: _: true,
        name ? "source",
      }:
      builtins.path {
        path = src;
        inherit name;
        filter = path: type: filter path type;
      };

    # lib/deprecated/misc.nix fakes.
    fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    fakeSha256 = "0000000000000000000000000000000000000000000000000000";

    # lib/customisation.nix (nixpkgs 25.05+).
    extendMkDerivation =
      {
        constructDrv,
        excludeDrvArgNames ? [ ],
        extendDrvArgs,
        transformDrv ? id,
      }:
      fpOrAttrs:
      transformDrv (
        constructDrv (
          finalAttrs:
          let
            args = if isFunction fpOrAttrs then fpOrAttrs finalAttrs else fpOrAttrs;
          in
          builtins.removeAttrs args excludeDrvArgNames // extendDrvArgs finalAttrs args
        )
      );

    fetchers.proxyImpureEnvVars = [
      "http_proxy"
      "https_proxy"
      "ftp_proxy"
      "all_proxy"
      "no_proxy"
      "HTTP_PROXY"
      "HTTPS_PROXY"
      "FTP_PROXY"
      "ALL_PROXY"
      "NO_PROXY"
    ];

    licenses = {
      mit.spdxId = "MIT";
      asl20.spdxId = "Apache-2.0";
    };
    platforms = {
      all = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      unix = platforms.all;
    };
  };
in
lib
