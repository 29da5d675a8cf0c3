//! The least CPU any tool spends to NAR-hash a tree, in two parts that `scripts/bench-nar`
//! times separately and adds up:
//!
//! - `nar-floor read TREE`: the system calls every reader of the tree makes (list each
//!   directory; open, fstat, one read and close each file), with nothing hashed;
//! - `nar-floor sha256 BYTES`: SHA-256 of that many bytes already in memory.
//!
//! Both print how many bytes they saw, so the script can check they cover the same tree.

use std::fs;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// `file_type` comes from the directory listing, as in goflake: no `lstat` per entry.
fn read_tree(path: &Path, file_type: fs::FileType, buffer: &mut Vec<u8>) -> std::io::Result<u64> {
    if file_type.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(path)?
            .map(|entry| entry.and_then(|entry| Ok((entry.file_name(), entry.file_type()?))))
            .collect::<Result<_, _>>()?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut total = 0;
        for (name, entry_type) in entries {
            total += read_tree(&path.join(name), entry_type, buffer)?;
        }
        Ok(total)
    } else if file_type.is_file() {
        let mut file = fs::File::open(path)?;
        let size = usize::try_from(file.metadata()?.len()).expect("a file fits in memory");
        // One byte more than the file holds, so its end is seen without a second read, as
        // goflake reads.
        if buffer.len() <= size {
            buffer.resize(size + 1, 0);
        }
        let mut total = 0;
        loop {
            let n = file.read(&mut buffer[total..=size])?;
            total += n;
            if n == 0 || total > size {
                break;
            }
        }
        Ok(total as u64)
    } else {
        Ok(0)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, tree] if mode == "read" => {
            let root = Path::new(tree);
            let file_type = fs::symlink_metadata(root)
                .expect("the tree exists")
                .file_type();
            let bytes = read_tree(root, file_type, &mut Vec::new()).expect("the tree is readable");
            println!("{bytes}");
        }
        [mode, bytes] if mode == "sha256" => {
            let bytes: u64 = bytes.parse().expect("a byte count");
            let chunk = vec![0x5au8; 1 << 20];
            let mut hasher = Sha256::new();
            let mut left = bytes;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                hasher.update(&chunk[..n]);
                left -= n as u64;
            }
            std::hint::black_box(hasher.finalize());
            println!("{bytes}");
        }
        _ => {
            eprintln!("usage: nar-floor read TREE | nar-floor sha256 BYTES");
            std::process::exit(2);
        }
    }
}
