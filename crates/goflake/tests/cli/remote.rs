//! `goflake build` over Nix's own distributed builds: a real OpenSSH server on 127.0.0.1 as
//! the remote builder.
//!
//! The layout, and why: the remote must not be the local store. Nix locks a derivation's
//! outputs while it hands the build to a remote; a remote that is the same store would wait
//! for those locks and never build (a deadlock). So the remote side runs the same Nix with
//! `store = local?root=<dir>`: a store of its own (database, locks, files under <dir>) with
//! the same logical store directory, so store paths mean the same on both sides. Nix builds
//! in such a store only in its sandbox, which mounts the store's real directory at the
//! logical one; `sandbox-paths` lets in exactly what the nixpkgs stand-in builds with (the
//! host's bash and coreutils, the Go releases, the file proxy) and never the local store,
//! which the builder would otherwise write into. The local Nix gets `--max-jobs 0`
//! (`--jobs 0`), so it can build nothing itself: every derivation it needs goes to the
//! remote, and its results are copied back.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use goflake_testkit::{NixEnv, prepare_project, require_tool, run_ok, skip};

use crate::build::{Env, env};
use crate::support::{checksums_verified, fresh_source, s, stderr};

/// An sshd bound to 127.0.0.1 that accepts one throw-away key for root, killed on drop.
struct Sshd {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    fn start(test: &str, dir: &Path) -> Option<Sshd> {
        // Debian's sshd is in /usr/sbin, which not every PATH has.
        let sshd = match Path::new("/usr/sbin/sshd") {
            path if path.is_file() => path.to_path_buf(),
            _ => require_tool(test, "sshd")?,
        };
        let keygen = require_tool(test, "ssh-keygen")?;
        require_tool(test, "ssh")?;
        // sshd needs its privilege separation directory, and only root may log in as root.
        if std::fs::create_dir_all("/run/sshd").is_err() || !is_root() {
            skip(
                test,
                "sshd needs root here (a test login as root on 127.0.0.1)",
            );
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        for key in ["host_key", "client_key"] {
            run_ok(
                goflake_testkit::command(&keygen)
                    .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                    .arg(dir.join(key)),
            );
        }
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {dir}/host_key\n\
                 AuthorizedKeysFile {dir}/authorized_keys\nPermitRootLogin prohibit-password\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 StrictModes no\nPidFile {dir}/sshd.pid\n",
                dir = dir.display()
            ),
        )
        .unwrap();
        // The host key is known before the first connection: no trust on first use.
        let host_key = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
        let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
        std::fs::write(
            dir.join("known_hosts"),
            format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
        )
        .unwrap();
        let child = goflake_testkit::command(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
            .spawn()
            .unwrap();
        let sshd = Sshd {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let began = Instant::now();
        loop {
            let login = goflake_testkit::command("ssh")
                .args(sshd.options())
                .args(["-i", s(&dir.join("client_key")), "root@127.0.0.1", "true"])
                .output()
                .unwrap();
            if login.status.success() {
                return Some(sshd);
            }
            assert!(
                began.elapsed() < Duration::from_secs(20),
                "sshd did not accept the key: {}\n{}",
                stderr(&login),
                std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// What ssh needs to reach this server (Nix reads them from NIX_SSHOPTS).
    fn options(&self) -> Vec<String> {
        vec![
            "-p".into(),
            self.port.to_string(),
            "-o".into(),
            format!("UserKnownHostsFile={}/known_hosts", self.dir.display()),
            "-o".into(),
            "BatchMode=yes".into(),
        ]
    }

    /// The sshd's log: who logged in.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

fn is_root() -> bool {
    goflake_testkit::command("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The program Nix runs on the remote side (`remote-program`): the Nix under test, serving a
/// chroot store of its own (see the module docs), with the host paths the stand-in builds
/// with, and GOPROXY (an impure variable of the vendor derivation, read from the remote's
/// environment, where it is built).
fn remote_nix_store(env: &Env, dir: &Path, remote_root: &Path) -> PathBuf {
    let nix_store = env.nix.nix.with_file_name("nix-store");
    let toolchains = goflake_testkit::toolchain_cache().unwrap();
    let proxy = env.proxy.url();
    let proxy_dir = proxy.strip_prefix("file://").unwrap();
    let toolchains = toolchains.canonicalize().unwrap();
    // A sandbox path above the local store would let the remote's sandbox set-up write into
    // it (Nix creates an empty file at each input's mount point).
    let local_store = PathBuf::from(env.nix.store_dir());
    for path in [toolchains.as_path(), Path::new(proxy_dir)] {
        assert!(
            !local_store.starts_with(path) && !path.starts_with(&local_store),
            "{} overlaps the local store {}",
            path.display(),
            local_store.display()
        );
    }
    let script = dir.join("remote-nix-store");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             export GOPROXY='{proxy}' GOSUMDB=off\n\
             export NIX_CONFIG='{config}store = local?root={root}\n\
             sandbox-paths = /bin /usr /lib /lib64 {toolchains} {proxy_dir}'\n\
             exec '{nix_store}' \"$@\"\n",
            config = goflake_testkit::NIX_CONFIG.replace("sandbox = false\n", ""),
            root = remote_root.display(),
            toolchains = toolchains.display(),
            nix_store = nix_store.display(),
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Where the directory `name` is below `root`, at any depth (a chroot store's files sit
/// below its root at the logical store directory).
fn find_below(root: &Path, name: &str, depth: usize) -> Option<PathBuf> {
    for entry in std::fs::read_dir(root).ok()?.flatten() {
        let path = entry.path();
        if entry.file_name() == name {
            return Some(path);
        }
        if depth > 0
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && let Some(found) = find_below(&path, name, depth - 1)
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn remote_builders_build_every_target_and_the_release_is_verified_here() {
    const TEST: &str = "remote::remote_builders";
    let Some(env) = env(TEST) else {
        return;
    };
    let Some(go) = require_tool(TEST, "go") else {
        return;
    };
    let Some(sshd) = Sshd::start(TEST, &env.root.join("ssh")) else {
        return;
    };
    let remote_root = env.root.join("remote");
    let remote_program = remote_nix_store(&env, &sshd.dir, &remote_root);

    let dir = env.root.join("remote-app");
    prepare_project(&go, &env.proxy, &env.cache, "with-deps", &dir);
    fresh_source(&dir);
    assert!(env.goflake(&dir, &["init"], false).status.success());
    let hash = env.goflake(&dir, &["vendor-hash", "--write"], false);
    assert!(hash.status.success(), "{}", stderr(&hash));

    let builders = format!(
        "ssh://root@127.0.0.1?remote-program={} {} {} 2 1",
        remote_program.display(),
        goflake_testkit::host_system(),
        sshd.dir.join("client_key").display()
    );
    let out = env
        .command(&dir, &["build", "--json", "--jobs", "0"], true)
        .args(["--builders", &builders])
        .env("NIX_SSHOPTS", sshd.options().join(" "))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}\nsshd:\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout),
        sshd.log()
    );
    assert!(
        sshd.log().contains("Accepted publickey for root"),
        "{}",
        sshd.log()
    );

    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 8, "{report}");
    let local = NixEnv::store_dir(&env.nix);
    for target in targets {
        let path = PathBuf::from(target["store_path"].as_str().unwrap());
        assert!(path.starts_with(&local), "{target}");
        // Built by the remote: its own store holds the output...
        let name = path.file_name().unwrap().to_str().unwrap();
        let remote = find_below(&remote_root, name, 6)
            .unwrap_or_else(|| panic!("{name} is not in the remote store"));
        assert!(remote.join("bin").is_dir(), "{}", remote.display());
        // ...and copied back: valid in the local store.
        let mut info = env.nix.command();
        info.arg("path-info").arg(&path);
        run_ok(&mut info);
    }
    assert_eq!(report["dist"], "dist");
    assert_eq!(checksums_verified(&dir.join("dist")), 10);
}
