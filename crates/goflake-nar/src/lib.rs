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

pub use hash::{HashParseError, Sha256};

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

/// Where NAR bytes go. File contents are appended by [`Sink::append_file`], so a sink that
/// owns a buffer can have the file read straight into it (no copy through another buffer).
trait Sink: Write {
    /// Appends the rest of `file`, expected to hold `size` bytes, and returns how many it
    /// had (more than `size` when it grew).
    fn append_file(&mut self, file: &mut fs::File, size: u64) -> io::Result<u64>;
}

/// Any writer, with file contents copied through `io::copy`.
struct Plain<W: Write>(W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Sink for Plain<W> {
    fn append_file(&mut self, file: &mut fs::File, _size: u64) -> io::Result<u64> {
        io::copy(file, &mut self.0)
    }
}

/// Writes NAR framing: strings are a little-endian u64 length, the bytes, zero padding to 8.
struct Framer<S: Sink> {
    out: S,
}

impl<S: Sink> Framer<S> {
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

/// What the walking thread sends: a full-size buffer with its first `len` bytes filled
/// (framing and file contents, in NAR order), or the error that stopped the walk.
enum Piece {
    Bytes { buffer: Vec<u8>, len: usize },
    Failed(NarError),
}

/// The walking thread's sink: fills CHUNK-sized buffers and sends them to the hasher, which
/// sends them back to be filled again. Buffers are allocated (and zeroed) once, so the
/// walker's cost is the reads themselves: no page faults on fresh memory, no second copy.
struct ChannelWriter {
    sender: SyncSender<Piece>,
    recycled: Receiver<Vec<u8>>,
    buffer: Vec<u8>,
    len: usize,
}

impl ChannelWriter {
    fn flush_buffer(&mut self) -> io::Result<()> {
        if self.len > 0 {
            let next = self
                .recycled
                .try_recv()
                .unwrap_or_else(|_| vec![0u8; CHUNK]);
            let piece = Piece::Bytes {
                buffer: std::mem::replace(&mut self.buffer, next),
                len: std::mem::take(&mut self.len),
            };
            self.sender
                .send(piece)
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the hasher stopped"))?;
        }
        Ok(())
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        while !data.is_empty() {
            let n = data.len().min(CHUNK - self.len);
            self.buffer[self.len..self.len + n].copy_from_slice(&data[..n]);
            self.len += n;
            data = &data[n..];
            if self.len == CHUNK {
                self.flush_buffer()?;
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buffer()
    }
}

impl Sink for ChannelWriter {
    /// Each read asks for one byte more than the file should still hold: a regular file
    /// answers short only at its end, so a small file costs one `read` (not a second one
    /// to see the end), and a file that grew is still noticed.
    fn append_file(&mut self, file: &mut fs::File, size: u64) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            if self.len == CHUNK {
                self.flush_buffer()?;
            }
            let wanted = usize::try_from(size.saturating_sub(total) + 1).unwrap_or(usize::MAX);
            let end = self.len + wanted.min(CHUNK - self.len);
            let requested = end - self.len;
            let n = match file.read(&mut self.buffer[self.len..end]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            total += n as u64;
            self.len += n;
            if n < requested || total > size {
                return Ok(total);
            }
        }
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
    write_nar_to(path, Plain(out))
}

fn write_nar_to<S: Sink>(path: &Path, out: S) -> Result<(), NarError> {
    let mut framer = Framer { out };
    framer.str(b"nix-archive-1").map_err(at(path))?;
    write_node(path, &mut framer)?;
    framer.out.flush().map_err(at(path))
}

fn write_node<S: Sink>(path: &Path, f: &mut Framer<S>) -> Result<(), NarError> {
    let file_type = fs::symlink_metadata(path).map_err(at(path))?.file_type();
    write_typed_node(path, file_type, f)
}

/// `file_type` comes from the directory listing (no `lstat` per entry); a regular file's size
/// and mode come from `fstat` on the opened file.
fn write_typed_node<S: Sink>(
    path: &Path,
    file_type: fs::FileType,
    f: &mut Framer<S>,
) -> Result<(), NarError> {
    let io = |result: io::Result<()>| result.map_err(at(path));
    io(f.str(b"("))?;
    if file_type.is_symlink() {
        let target = fs::read_link(path).map_err(at(path))?;
        io(f.str(b"type"))?;
        io(f.str(b"symlink"))?;
        io(f.str(b"target"))?;
        io(f.str(target.as_os_str().as_encoded_bytes()))?;
    } else if file_type.is_file() {
        let mut file = fs::File::open(path).map_err(at(path))?;
        let metadata = file.metadata().map_err(at(path))?;
        if !metadata.is_file() {
            return Err(NarError {
                path: path.to_path_buf(),
                source: io::Error::other("it was replaced while it was read"),
            });
        }
        io(f.str(b"type"))?;
        io(f.str(b"regular"))?;
        if metadata.permissions().mode() & 0o100 != 0 {
            io(f.str(b"executable"))?;
            io(f.str(b""))?;
        }
        io(f.str(b"contents"))?;
        let size = metadata.len();
        io(f.out.write_all(&size.to_le_bytes()))?;
        let copied = f.out.append_file(&mut file, size).map_err(at(path))?;
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
        let mut entries: Vec<(std::ffi::OsString, fs::FileType)> = fs::read_dir(path)
            .map_err(at(path))?
            .map(|e| e.and_then(|e| Ok((e.file_name(), e.file_type()?))))
            .collect::<Result<_, _>>()
            .map_err(at(path))?;
        // Nix sorts entries by their bytes.
        entries.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        for (name, entry_type) in entries {
            io(f.str(b"entry"))?;
            io(f.str(b"("))?;
            io(f.str(b"name"))?;
            io(f.str(name.as_encoded_bytes()))?;
            io(f.str(b"node"))?;
            write_typed_node(&path.join(&name), entry_type, f)?;
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
    let (give_back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    let root = path.to_path_buf();
    let walker = std::thread::spawn(move || {
        let writer = ChannelWriter {
            sender: sender.clone(),
            recycled,
            buffer: vec![0u8; CHUNK],
            len: 0,
        };
        if let Err(err) = write_nar_to(&root, writer) {
            let _ = sender.send(Piece::Failed(err));
        }
    });
    let mut hasher = Sha256Hasher::new();
    let mut failure = None;
    for piece in receiver {
        match piece {
            Piece::Bytes { buffer, len } => {
                hasher.update(&buffer[..len]);
                // The walker may have finished: then the buffer is simply dropped.
                let _ = give_back.send(buffer);
            }
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
