//! Where the pickle machine's (and the MessagePack decoder's) bytes come from: a slice in
//! memory, or a seekable stream (a file).
//!
//! The machine checks every declared length against [`Input::len`] minus [`Input::pos`] before it
//! takes anything, so an input only reads what the file holds. A stream reads opcodes through its
//! buffer and leaves large `bytes` payloads in place ([`Payload::Deferred`]): they are read
//! straight into each array's typed buffer when the tree is assembled, so reading a file never
//! holds the file's bytes and the arrays' bytes at once.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Seek, SeekFrom};

/// A `bytes`/`bytearray` payload.
#[derive(Clone, Debug)]
pub(crate) enum Payload<'a> {
    /// Bytes in memory: borrowed from a slice input, or owned (small stream payloads, decoded
    /// protocol-2 strings).
    Mem(Cow<'a, [u8]>),
    /// `len` bytes still in the stream, at `offset` from the start of the pickle.
    Deferred { offset: u64, len: usize },
}

impl Payload<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Payload::Mem(b) => b.len(),
            Payload::Deferred { len, .. } => *len,
        }
    }
}

/// A source of pickle bytes. Offsets count from the pickle's first byte.
pub(crate) trait Input<'a> {
    /// The pickle's length in bytes.
    fn len(&self) -> u64;
    /// The offset of the next byte.
    fn pos(&self) -> u64;
    /// The next byte, or `None` at the end.
    fn next_byte(&mut self) -> io::Result<Option<u8>>;
    /// Fills `buf`; the caller has checked that the input holds that many bytes.
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()>;
    /// Takes `n` bytes (checked by the caller) into memory.
    fn take(&mut self, n: usize) -> io::Result<Cow<'a, [u8]>>;
    /// Takes or skips over a `bytes` payload of `n` bytes (checked by the caller).
    fn payload(&mut self, n: usize) -> io::Result<Payload<'a>>;
    /// The bytes up to the next newline (without it), or `None` when the input ends first.
    fn line(&mut self) -> io::Result<Option<Cow<'a, [u8]>>>;
    /// Fills `buf` with the bytes at `offset`, for a [`Payload::Deferred`]; the position stays.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// The next byte without taking it, or `None` at the end.
    fn peek(&mut self) -> io::Result<Option<u8>>;
}

/// Text from bytes, without copying owned bytes.
pub(crate) fn utf8(b: Cow<'_, [u8]>) -> Result<Cow<'_, str>, std::str::Utf8Error> {
    match b {
        Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed),
        Cow::Owned(v) => String::from_utf8(v)
            .map(Cow::Owned)
            .map_err(|e| e.utf8_error()),
    }
}

fn eof() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the file ended early (did it shrink while it was read?)",
    )
}

/// Bytes in memory; values borrow them.
pub(crate) struct SliceInput<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> SliceInput<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn slice(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let bytes = self.bytes;
        let s = self
            .pos
            .checked_add(n)
            .and_then(|end| bytes.get(self.pos..end))
            .ok_or_else(eof)?;
        self.pos += n;
        Ok(s)
    }
}

impl<'a> Input<'a> for SliceInput<'a> {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn pos(&self) -> u64 {
        self.pos as u64
    }
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.bytes.get(self.pos).copied();
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        buf.copy_from_slice(self.slice(buf.len())?);
        Ok(())
    }
    fn take(&mut self, n: usize) -> io::Result<Cow<'a, [u8]>> {
        self.slice(n).map(Cow::Borrowed)
    }
    fn payload(&mut self, n: usize) -> io::Result<Payload<'a>> {
        self.take(n).map(Payload::Mem)
    }
    fn line(&mut self) -> io::Result<Option<Cow<'a, [u8]>>> {
        let bytes = self.bytes;
        let rest = bytes.get(self.pos..).unwrap_or_default();
        Ok(rest.iter().position(|&b| b == b'\n').map(|n| {
            self.pos += n + 1;
            Cow::Borrowed(&rest[..n])
        }))
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let src = usize::try_from(offset)
            .ok()
            .and_then(|start| Some(start..start.checked_add(buf.len())?))
            .and_then(|r| self.bytes.get(r))
            .ok_or_else(eof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.bytes.get(self.pos).copied())
    }
}

/// A seekable stream, read from its current position for `len` bytes.
pub(crate) struct StreamInput<R> {
    r: R,
    /// Stream position of the pickle's first byte.
    start: u64,
    pos: u64,
    len: u64,
    /// Payloads of at least this many bytes stay in the stream until assembly.
    defer_from: usize,
}

impl<R: BufRead + Seek> StreamInput<R> {
    /// Reads from `r`'s current position to its end; payloads of `defer_from` bytes or more are
    /// left in the stream.
    pub(crate) fn new(mut r: R, defer_from: usize) -> io::Result<Self> {
        let start = r.stream_position()?;
        let end = r.seek(SeekFrom::End(0))?;
        r.seek(SeekFrom::Start(start))?;
        Ok(Self {
            r,
            start,
            pos: 0,
            len: end.saturating_sub(start),
            defer_from,
        })
    }

    fn skip(&mut self, n: usize) -> io::Result<()> {
        let buffered = self.r.fill_buf()?.len();
        if n <= buffered {
            self.r.consume(n);
        } else {
            let delta = i64::try_from(n).map_err(|_| eof())?;
            self.r.seek(SeekFrom::Current(delta))?;
        }
        self.pos += n as u64;
        Ok(())
    }
}

impl<'a, R: BufRead + Seek> Input<'a> for StreamInput<R> {
    fn len(&self) -> u64 {
        self.len
    }
    fn pos(&self) -> u64 {
        self.pos
    }
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        if self.pos >= self.len {
            return Ok(None);
        }
        let b = *self.r.fill_buf()?.first().ok_or_else(eof)?;
        self.r.consume(1);
        self.pos += 1;
        Ok(Some(b))
    }
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.r.read_exact(buf)?;
        self.pos += buf.len() as u64;
        Ok(())
    }
    fn take(&mut self, n: usize) -> io::Result<Cow<'a, [u8]>> {
        // `read_to_end` into reserved capacity reads without zeroing the buffer first.
        let mut v = Vec::with_capacity(n);
        (&mut self.r).take(n as u64).read_to_end(&mut v)?;
        if v.len() != n {
            return Err(eof());
        }
        self.pos += n as u64;
        Ok(Cow::Owned(v))
    }
    fn payload(&mut self, n: usize) -> io::Result<Payload<'a>> {
        if n < self.defer_from {
            return self.take(n).map(Payload::Mem);
        }
        let offset = self.pos;
        self.skip(n)?;
        Ok(Payload::Deferred { offset, len: n })
    }
    fn line(&mut self) -> io::Result<Option<Cow<'a, [u8]>>> {
        let mut v = Vec::new();
        let left = self.len.saturating_sub(self.pos);
        let n = (&mut self.r).take(left).read_until(b'\n', &mut v)?;
        self.pos += n as u64;
        if v.pop() == Some(b'\n') {
            Ok(Some(Cow::Owned(v)))
        } else {
            Ok(None)
        }
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let at = self.start.checked_add(offset).ok_or_else(eof)?;
        self.r.seek(SeekFrom::Start(at))?;
        self.r.read_exact(buf)?;
        // back to where reading left off (a msgpack array's data may precede other keys)
        self.r.seek(SeekFrom::Start(self.start + self.pos))?;
        Ok(())
    }
    fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.pos >= self.len {
            return Ok(None);
        }
        Ok(self.r.fill_buf()?.first().copied())
    }
}
