//! Streaming NAR serialisation of a directory tree, hashed with SHA-256 as
//! `nix hash path` does, in constant memory: one thread walks the tree and reads files ahead
//! in bounded chunks while another hashes them.

pub mod hash;

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use sha2::{Digest, Sha256 as Sha256Hasher};

pub use hash::{HashParseError, Sha256, parse_mismatch_got};

#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", .path.display())]
pub struct NarError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// How big a piece of file the reader hands over at a time, and how many it may have in
/// flight: at most CHUNK × (DEPTH + 2) bytes are in memory, whatever the tree's size.
const CHUNK: usize = 1 << 20;
const DEPTH: usize = 8;

/// Writes NAR framing: strings are a little-endian u64 length, the bytes, zero padding to 8.
struct Framer<W: Write> {
    out: W,
}

impl<W: Write> Framer<W> {
    fn str(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(&(bytes.len() as u64).to_le_bytes())?;
        self.out.write_all(bytes)?;
        self.pad(bytes.len() as u64)
    }

    fn pad(&mut self, len: u64) -> io::Result<()> {
        let rem = (len % 8) as usize;
        if rem != 0 {
            self.out.write_all(&[0u8; 8][..8 - rem])?;
        }
        Ok(())
    }
}

/// What the walking thread sends: framing bytes and file contents, in NAR order.
enum Piece {
    Bytes(Vec<u8>),
    Failed(NarError),
}

struct ChannelWriter {
    sender: SyncSender<Piece>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn flush_buffer(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            let piece = Piece::Bytes(std::mem::replace(
                &mut self.buffer,
                Vec::with_capacity(CHUNK),
            ));
            self.sender
                .send(piece)
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the hasher stopped"))?;
        }
        Ok(())
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.flush_buffer()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buffer()
    }
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> NarError + '_ {
    move |source| NarError {
        path: path.to_path_buf(),
        source,
    }
}

/// Serialises `path` as a NAR into `out`.
pub fn write_nar<W: Write>(path: &Path, out: W) -> Result<(), NarError> {
    let mut framer = Framer { out };
    framer.str(b"nix-archive-1").map_err(at(path))?;
    write_node(path, &mut framer)?;
    framer.out.flush().map_err(at(path))
}

fn write_node<W: Write>(path: &Path, f: &mut Framer<W>) -> Result<(), NarError> {
    let metadata = fs::symlink_metadata(path).map_err(at(path))?;
    let file_type = metadata.file_type();
    let io = |result: io::Result<()>| result.map_err(at(path));
    io(f.str(b"("))?;
    if file_type.is_symlink() {
        let target = fs::read_link(path).map_err(at(path))?;
        io(f.str(b"type"))?;
        io(f.str(b"symlink"))?;
        io(f.str(b"target"))?;
        io(f.str(target.as_os_str().as_encoded_bytes()))?;
    } else if file_type.is_file() {
        io(f.str(b"type"))?;
        io(f.str(b"regular"))?;
        if metadata.permissions().mode() & 0o100 != 0 {
            io(f.str(b"executable"))?;
            io(f.str(b""))?;
        }
        io(f.str(b"contents"))?;
        let size = metadata.len();
        io(f.out.write_all(&size.to_le_bytes()))?;
        let mut file = fs::File::open(path).map_err(at(path))?;
        let mut buffer = vec![0u8; CHUNK.min(size as usize).max(1)];
        let mut copied = 0u64;
        loop {
            let n = file.read(&mut buffer).map_err(at(path))?;
            if n == 0 {
                break;
            }
            copied += n as u64;
            io(f.out.write_all(&buffer[..n]))?;
        }
        if copied != size {
            return Err(NarError {
                path: path.to_path_buf(),
                source: io::Error::other("the file changed size while it was read"),
            });
        }
        io(f.pad(size))?;
    } else if file_type.is_dir() {
        io(f.str(b"type"))?;
        io(f.str(b"directory"))?;
        let mut names: Vec<_> = fs::read_dir(path)
            .map_err(at(path))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(at(path))?;
        // Nix sorts entries by their bytes.
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for name in names {
            io(f.str(b"entry"))?;
            io(f.str(b"("))?;
            io(f.str(b"name"))?;
            io(f.str(name.as_encoded_bytes()))?;
            io(f.str(b"node"))?;
            write_node(&path.join(&name), f)?;
            io(f.str(b")"))?;
        }
    } else {
        return Err(NarError {
            path: path.to_path_buf(),
            source: io::Error::other("not a regular file, directory or symlink"),
        });
    }
    io(f.str(b")"))
}

/// The SHA-256 of the NAR serialisation of `path`: what `nix hash path` prints, and what a
/// recursive fixed-output derivation such as goModules is checked against.
pub fn nar_hash(path: &Path) -> Result<Sha256, NarError> {
    let (sender, receiver): (SyncSender<Piece>, Receiver<Piece>) = sync_channel(DEPTH);
    let root = path.to_path_buf();
    let walker = std::thread::spawn(move || {
        let mut writer = ChannelWriter {
            sender: sender.clone(),
            buffer: Vec::with_capacity(CHUNK),
        };
        if let Err(err) = write_nar(&root, &mut writer) {
            let _ = sender.send(Piece::Failed(err));
        }
    });
    let mut hasher = Sha256Hasher::new();
    let mut failure = None;
    for piece in receiver {
        match piece {
            Piece::Bytes(bytes) => hasher.update(&bytes),
            Piece::Failed(err) => failure = Some(err),
        }
    }
    walker.join().expect("the NAR walker does not panic");
    match failure {
        Some(err) => Err(err),
        None => Ok(Sha256(hasher.finalize().into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"").unwrap();
        let mut nar = Vec::new();
        write_nar(&file, &mut nar).unwrap();
        // Each string: an 8-byte length and its bytes padded to 8. "nix-archive-1" (24),
        // "(" "type" "regular" "contents" (16 each), an empty body (8), ")" (16).
        assert_eq!(nar.len(), 24 + 16 * 4 + 8 + 16);
        assert_eq!(nar_hash(&file).unwrap().sri().len(), 51);
    }

    #[test]
    fn missing_paths_are_named() {
        let err = nar_hash(Path::new("/nonexistent/goflake")).unwrap_err();
        assert_eq!(err.path, Path::new("/nonexistent/goflake"));
    }
}
