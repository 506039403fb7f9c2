//! The XML part of a VTK XML file as a small element tree, plus the location of the `<AppendedData>`
//! section, whose raw form is not XML and therefore never goes through the XML parser.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::context::{Appended, Ctx};
use crate::FormatError;

/// VTK files nest about six levels deep; the bound keeps a hostile file from building a tree whose
/// recursive drop would exhaust the stack.
const MAX_DEPTH: usize = 64;

/// One XML element with its attributes, direct text and child elements.
#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element<'a>>,
    /// Direct text pieces (text interrupted by a child such as `<InformationKey>` gives several).
    pub text: Vec<Cow<'a, [u8]>>,
    /// Byte offset of the start tag in the file.
    pub offset: u64,
}

impl<'a> Element<'a> {
    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Child elements called `name`, in order.
    pub fn children_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Element<'a>> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// A parsed file: the `<VTKFile>` element and the appended section, if any.
pub(crate) struct Document<'a> {
    pub root: Element<'a>,
    pub appended: Option<Appended<'a>>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut start = 0;
    while let Some(p) = haystack.get(start..)?.iter().position(|&b| b == first) {
        let at = start + p;
        if haystack.get(at..at + needle.len()) == Some(needle) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..].starts_with(needle))
}

fn parse_start<'a>(
    ctx: &Ctx<'_>,
    e: &BytesStart<'_>,
    offset: u64,
) -> Result<Element<'a>, FormatError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| {
            ctx.malformed(Some(offset), Some(&name), format!("bad attribute: {err}"))
        })?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| {
                ctx.malformed(
                    Some(offset),
                    Some(&name),
                    format!("bad value of attribute {key}: {err}"),
                )
            })?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: Vec::new(),
        offset,
    })
}

/// The closing tags that end a file with appended data.
pub(crate) const APPENDED_END: &[u8] = b"</AppendedData>";
const FILE_END: &[u8] = b"</VTKFile>";

/// The error for element `el`, still open where the document ends at byte `end`.
fn unclosed(ctx: &Ctx<'_>, el: &Element<'_>, end: u64) -> FormatError {
    ctx.malformed(
        Some(end),
        Some(&el.name),
        format!(
            "the file ends inside <{}> (opened at byte {}), before its closing tag: the file is truncated",
            el.name, el.offset
        ),
    )
}

/// `<AppendedData>` must follow the closed dataset element, directly inside `<VTKFile>` (as every
/// VTK writer puts it): inside anything else, the elements around it were cut short.
fn check_appended_parent(ctx: &Ctx<'_>, stack: &[Element<'_>], at: u64) -> Result<(), FormatError> {
    match stack {
        [root] if root.name == "VTKFile" => Ok(()),
        [] => Err(ctx.malformed(Some(at), Some("AppendedData"), "<AppendedData> outside <VTKFile>".into())),
        [root, ..] if root.name != "VTKFile" => Err(not_vtk(ctx)),
        [.., open] => Err(ctx.malformed(
            Some(at),
            Some("AppendedData"),
            format!(
                "<AppendedData> starts inside <{}> (opened at byte {}), which is never closed: the document is cut short",
                open.name, open.offset
            ),
        )),
    }
}

fn not_vtk(ctx: &Ctx<'_>) -> FormatError {
    ctx.malformed(
        Some(0),
        None,
        "no <VTKFile> element; not a VTK XML file".into(),
    )
}

/// Checks what follows the appended data (`rest`, at byte `at` of the file): `</AppendedData>`,
/// then `</VTKFile>`. Without them the file was cut short, and its arrays cannot be trusted to be
/// whole even when they decode. (What follows `</VTKFile>` is not looked at, as VTK does not.)
fn check_document_end(ctx: &Ctx<'_>, rest: &[u8], at: u64) -> Result<(), FormatError> {
    if ends_document(rest) {
        return Ok(());
    }
    let detail = if rest.starts_with(APPENDED_END) {
        "</AppendedData> is not followed by </VTKFile>: the file is truncated"
    } else {
        "the appended data is not followed by </AppendedData>: the file is truncated"
    };
    Err(ctx.malformed(Some(at), Some("AppendedData"), detail.into()))
}

/// Whether `rest` is a correct end of a file with appended data (see [`check_document_end`]).
pub(crate) fn ends_document(rest: &[u8]) -> bool {
    let after_appended = rest
        .strip_prefix(APPENDED_END)
        .map(<[u8]>::trim_ascii_start);
    after_appended.is_some_and(|r| r.starts_with(FILE_END))
}

/// Parses the XML header of `bytes` (everything before the appended data) into a tree.
/// `file_backed`: `bytes` ends at the start of raw appended data that stays in the file (whose end
/// the caller has checked).
pub(crate) fn parse<'a>(
    ctx: &Ctx<'_>,
    bytes: &'a [u8],
    file_backed: bool,
) -> Result<Document<'a>, FormatError> {
    let xml_end = xml_end(ctx, bytes)?;
    let mut tree = TreeBuilder {
        stack: Vec::new(),
        roots: Vec::new(),
    };
    let appended_tag = tree.read(ctx, &bytes[..xml_end])?;
    let root = tree.finish(ctx, appended_tag.is_none(), bytes.len() as u64)?;
    let appended = match appended_tag {
        None => None,
        Some(el) => Some(appended_section(ctx, &el, bytes, xml_end, file_backed)?),
    };
    Ok(Document { root, appended })
}

/// Where the XML ends: after the `<AppendedData ...>` start tag, or at the end of `bytes`.
fn xml_end(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<usize, FormatError> {
    // Base64 text never contains '<', so the first `<AppendedData` is the section's start tag.
    let Some(p) = find(bytes, b"<AppendedData") else {
        return Ok(bytes.len());
    };
    bytes[p..]
        .iter()
        .position(|&b| b == b'>')
        .map(|q| p + q + 1)
        .ok_or_else(|| {
            ctx.malformed(
                Some(p as u64),
                Some("AppendedData"),
                "unterminated start tag".into(),
            )
        })
}

/// The element tree as it is built: the open elements, innermost last, and the closed top-level
/// ones.
struct TreeBuilder<'a> {
    stack: Vec<Element<'a>>,
    roots: Vec<Element<'a>>,
}

impl<'a> TreeBuilder<'a> {
    /// Reads the elements of `xml` up to its end or the `<AppendedData>` start tag, which is
    /// returned.
    fn read(&mut self, ctx: &Ctx<'_>, xml: &'a [u8]) -> Result<Option<Element<'a>>, FormatError> {
        let mut reader = Reader::from_reader(xml);
        reader.config_mut().check_end_names = true;
        loop {
            let pos = reader.buffer_position();
            let ev = reader.read_event().map_err(|e| {
                ctx.malformed(
                    Some(reader.error_position()),
                    None,
                    format!("invalid XML: {e}"),
                )
            })?;
            match ev {
                Event::Start(e) => {
                    let el = parse_start(ctx, &e, pos)?;
                    if el.name == "AppendedData" {
                        check_appended_parent(ctx, &self.stack, pos)?;
                        return Ok(Some(el));
                    }
                    self.open(ctx, el, pos)?;
                }
                Event::Empty(e) => {
                    let el = parse_start(ctx, &e, pos)?;
                    self.attach(el);
                }
                Event::End(_) => self.close(ctx, pos)?,
                Event::Text(t) => {
                    if let Some(top) = self.stack.last_mut() {
                        top.text.push(t.into_inner());
                    }
                }
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }

    /// Adds a complete element to the innermost open one (or to the top level).
    fn attach(&mut self, el: Element<'a>) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.roots.push(el),
        }
    }

    fn open(&mut self, ctx: &Ctx<'_>, el: Element<'a>, pos: u64) -> Result<(), FormatError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ctx.malformed(
                Some(pos),
                Some(&el.name),
                format!("nesting deeper than {MAX_DEPTH}"),
            ));
        }
        self.stack.push(el);
        Ok(())
    }

    fn close(&mut self, ctx: &Ctx<'_>, pos: u64) -> Result<(), FormatError> {
        let Some(el) = self.stack.pop() else {
            return Err(ctx.malformed(
                Some(pos),
                None,
                "closing tag without an opening tag".into(),
            ));
        };
        self.attach(el);
        Ok(())
    }

    /// The `<VTKFile>` element, once the document (`end` bytes, `all_closed` when it has no
    /// appended data) is read.
    fn finish(
        mut self,
        ctx: &Ctx<'_>,
        all_closed: bool,
        end: u64,
    ) -> Result<Element<'a>, FormatError> {
        // Without appended data every element must be closed: a file cut short inside the document
        // is truncated, even when every array before the cut decodes. Before appended data only
        // `<VTKFile>` is open (checked when its tag is read); its end is checked after the data. (A
        // document whose outer element is something else is not a VTK file, which is said below.)
        if all_closed
            && self
                .stack
                .first()
                .is_some_and(|root| root.name == "VTKFile")
        {
            if let Some(open) = self.stack.last() {
                return Err(unclosed(ctx, open, end));
            }
        }
        while let Some(el) = self.stack.pop() {
            self.attach(el);
        }
        self.roots
            .into_iter()
            .find(|e| e.name == "VTKFile")
            .ok_or_else(|| not_vtk(ctx))
    }
}

/// The appended section that `el`, its start tag, opens and that starts after `xml_end`.
fn appended_section<'a>(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    bytes: &'a [u8],
    xml_end: usize,
    file_backed: bool,
) -> Result<Appended<'a>, FormatError> {
    let raw = match el.attr("encoding").unwrap_or("raw") {
        "raw" => true,
        "base64" => false,
        other => {
            return Err(ctx.malformed(
                Some(el.offset),
                Some("AppendedData"),
                format!("encoding \"{other}\", expected \"raw\" or \"base64\""),
            ))
        }
    };
    let rest = &bytes[xml_end..];
    let underscore = rest.iter().position(|&b| !b.is_ascii_whitespace());
    let start = match underscore {
        Some(u) if rest[u] == b'_' => xml_end + u + 1,
        _ => {
            return Err(ctx.malformed(
                Some(xml_end as u64),
                Some("AppendedData"),
                "expected '_' marking the start of the appended data".into(),
            ))
        }
    };
    let body = &bytes[start..];
    let end = if raw {
        rfind(body, APPENDED_END).unwrap_or(body.len())
    } else {
        body.iter().position(|&b| b == b'<').unwrap_or(body.len())
    };
    if !file_backed {
        check_document_end(ctx, &body[end..], (start + end) as u64)?;
    }
    Ok(Appended {
        raw,
        data: &body[..end],
        file: None,
        len: end as u64,
        file_offset: start as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_rfind() {
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"abc", b"x"), None);
        assert_eq!(rfind(b"abcabc", b"ab"), Some(3));
        assert_eq!(rfind(b"a", b"ab"), None);
    }
}
