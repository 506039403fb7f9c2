//! A byte cursor over a whole file for the text-with-binary-blocks formats (legacy VTK, ascii STL).

use std::path::Path;

use crate::FormatError;

/// Position in an in-memory file, with error helpers that name the file and the byte offset.
pub(crate) struct Cursor<'a> {
    pub(crate) path: &'a Path,
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(path: &'a Path, buf: &'a [u8]) -> Self {
        Self { path, buf, pos: 0 }
    }

    /// A `Malformed` error at the current position.
    pub(crate) fn err(&self, element: &str, detail: impl Into<String>) -> FormatError {
        self.err_at(self.pos, element, detail)
    }

    pub(crate) fn err_at(
        &self,
        pos: usize,
        element: &str,
        detail: impl Into<String>,
    ) -> FormatError {
        FormatError::Malformed {
            path: self.path.to_path_buf(),
            offset: Some(pos as u64),
            element: (!element.is_empty()).then(|| element.to_owned()),
            detail: detail.into(),
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn skip_ws(&mut self) {
        while self.pos < self.buf.len() && self.buf[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// The next whitespace-separated token, `None` at the end of the input.
    pub(crate) fn token(&mut self) -> Result<Option<&'a str>, FormatError> {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.buf.len() && !self.buf[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        if start == self.pos {
            return Ok(None);
        }
        std::str::from_utf8(&self.buf[start..self.pos])
            .map(Some)
            .map_err(|_| self.err_at(start, "", "expected a text token, found binary bytes"))
    }

    /// The next token, or an error naming what was expected.
    pub(crate) fn expect_token(
        &mut self,
        element: &str,
        what: &str,
    ) -> Result<&'a str, FormatError> {
        match self.token()? {
            Some(t) => Ok(t),
            None => Err(self.err(element, format!("unexpected end of file, expected {what}"))),
        }
    }

    /// Parses the next token as `T`.
    pub(crate) fn parse<T: std::str::FromStr>(
        &mut self,
        element: &str,
        what: &str,
    ) -> Result<T, FormatError> {
        let start = self.pos;
        let t = self.expect_token(element, what)?;
        t.parse().map_err(|_| {
            self.err_at(
                start,
                element,
                format!("expected {what}, found '{}'", shorten(t)),
            )
        })
    }

    /// Parses the next token as a non-negative count that fits `usize`.
    pub(crate) fn count(&mut self, element: &str, what: &str) -> Result<usize, FormatError> {
        let start = self.pos;
        let v: i64 = self.parse(element, what)?;
        usize::try_from(v)
            .map_err(|_| self.err_at(start, element, format!("{what} is negative ({v})")))
    }

    /// The rest of the current line (without the line break), consuming the break.
    pub(crate) fn line(&mut self) -> &'a [u8] {
        let start = self.pos;
        let end = self.buf[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.buf.len(), |i| start + i);
        self.pos = (end + 1).min(self.buf.len());
        let line = &self.buf[start..end];
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    /// Takes `n` raw bytes.
    pub(crate) fn take(&mut self, n: usize, element: &str) -> Result<&'a [u8], FormatError> {
        if n > self.remaining() {
            return Err(FormatError::TooLarge {
                path: self.path.to_path_buf(),
                offset: Some(self.pos as u64),
                what: element.to_owned(),
                declared: n as u64,
                available: self.remaining() as u64,
                limit: u64::MAX,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
}

/// A token cut to a readable length for error messages.
pub(crate) fn shorten(t: &str) -> String {
    if t.len() <= 40 {
        t.to_owned()
    } else {
        let mut end = 40;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &t[..end])
    }
}
